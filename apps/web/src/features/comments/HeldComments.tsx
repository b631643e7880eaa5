import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { describeError } from '../../api/errors.ts';
import { formatRelativeTime } from '../../lib/format.ts';
import { commentKeys, commentsApi, commentQueries } from './api.ts';
import { keyRoots } from '../../api/query-keys.ts';
import './comments.css';

/** The approval queue of videos whose comments are held: approve publishes a comment, reject deletes it. */
export function HeldComments() {
  const queryClient = useQueryClient();
  const held = useQuery(commentQueries.held());
  const decide = useMutation({
    mutationFn: ({ id, approve }: { id: string; approve: boolean }) =>
      approve ? commentsApi.approveComment(id).then(() => undefined) : commentsApi.deleteComment(id),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: commentKeys.held });
      void queryClient.invalidateQueries({ queryKey: keyRoots.studioVideos });
    },
  });
  const items = held.data?.items ?? [];
  if (items.length === 0) return null;
  return (
    <section className="held-comments" id="held-comments" aria-labelledby="held-comments-title" data-testid="held-comments">
      <h2 id="held-comments-title">Comments waiting for your approval</h2>
      {decide.isError ? <p className="form-error">{describeError(decide.error)}</p> : null}
      <ul>
        {items.map(({ comment, video }) => (
          <li key={comment.id} data-testid="held-comment">
            <div>
              <strong>{comment.author.username}</strong> on <Link to={`/watch/${video.id}`}>{video.title}</Link> ·{' '}
              <span className="muted">{formatRelativeTime(comment.createdAt)}</span>
            </div>
            <p className="held-comment-body">{comment.body}</p>
            <div className="held-comment-actions">
              <button
                type="button"
                className="button button-primary"
                disabled={decide.isPending}
                onClick={() => decide.mutate({ id: comment.id, approve: true })}
              >
                Approve
              </button>
              <button
                type="button"
                className="button button-secondary"
                disabled={decide.isPending}
                onClick={() => decide.mutate({ id: comment.id, approve: false })}
              >
                Reject
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
