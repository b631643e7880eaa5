import { useId, useRef, useState, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { Link, useLocation } from 'react-router-dom';
import type { Comment, Video } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useAuth } from '../../api/auth-context.tsx';
import { ActionMenu, type MenuAction } from '../../components/ActionMenu.tsx';
import { Icon } from '../../components/Icon.tsx';
import { LinkifiedText } from '../../components/LinkifiedText.tsx';
import { useToast } from '../../components/toasts.tsx';
import { Avatar, Dialog, ErrorMessage, Spinner, DeleteCancelActions } from '../../components/ui.tsx';
import { appendReply, changeTotal, prependComment, removeComment, updateComment, withLike, type CommentPages } from '../../lib/comment-pages.ts';
import { COMMENT_MAX_LENGTH } from '../../lib/community-rules.ts';
import { formatCompactNumber, formatDate, formatRelativeTime } from '../../lib/format.ts';
import { commentKeys, commentsApi, type CommentSort, commentQueries } from './api.ts';
import './comments.css';

/** Every cached list a comment can be in: the video's comments (both sort orders) and all reply lists. */
function updateCachedComment(queryClient: QueryClient, videoId: string, id: string, change: (comment: Comment) => Comment) {
  queryClient.setQueriesData<CommentPages>({ queryKey: commentKeys.commentsOf(videoId) }, (data) => updateComment(data, id, change));
  queryClient.setQueriesData<CommentPages>({ queryKey: commentKeys.allReplies }, (data) => updateComment(data, id, change));
}

function useCommentPages(videoId: string, sort: CommentSort, enabled: boolean) {
  return useInfiniteQuery({
    ...commentQueries.comments(videoId, sort),
    enabled,
  });
}

/**
 * `renderReportDialog` draws the report dialog for the comment being reported (null: none); the page passes the
 * moderation feature's dialog, so comments need not import another feature.
 */
export function CommentsSection({ video, renderReportDialog }: { video: Video; renderReportDialog(commentId: string | null, onClose: () => void): ReactNode }) {
  const [sort, setSort] = useState<CommentSort>('top');
  const { user, status } = useAuth();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [reporting, setReporting] = useState<string | null>(null);
  const comments = useCommentPages(video.id, sort, video.commentsEnabled);

  if (!video.commentsEnabled) {
    return (
      <section className="comments" aria-label="Comments" data-testid="comments">
        <p className="comments-off" data-testid="comments-off">
          Comments are turned off.
        </p>
      </section>
    );
  }

  const total = comments.data?.pages[0]?.total ?? video.commentCount;
  const items = comments.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section className="comments" aria-labelledby="comments-heading" data-testid="comments">
      <div className="comments-header">
        <h2 id="comments-heading" data-testid="comment-count">
          {total === 1 ? '1 Comment' : `${total.toLocaleString('en-US')} Comments`}
        </h2>
        <label className="comments-sort">
          <Icon name="sort" />
          <span className="visually-hidden">Sort comments by</span>
          <select value={sort} onChange={(event) => setSort(event.target.value === 'newest' ? 'newest' : 'top')}>
            <option value="top">Top comments</option>
            <option value="newest">Newest first</option>
          </select>
        </label>
      </div>
      {user ? (
        <CommentComposer
          videoId={video.id}
          authorName={user.username}
          placeholder="Add a comment…"
          submitLabel="Comment"
          onPosted={(comment) => {
            queryClient.setQueriesData<CommentPages>({ queryKey: commentKeys.commentsOf(video.id) }, (data) => prependComment(data, comment));
          }}
        />
      ) : status === 'signedOut' ? (
        <p className="comments-signin">
          <Link to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} className="button button-outline">
            <Icon name="channel" /> Sign in to comment
          </Link>
        </p>
      ) : null}
      {comments.isError ? <ErrorMessage message={describeError(comments.error)} onRetry={() => void comments.refetch()} /> : null}
      {comments.isPending ? <Spinner label="Loading comments" /> : null}
      <div className="comment-list">
        {items.map((comment) => (
          <CommentThread key={comment.id} comment={comment} video={video} onReport={setReporting} />
        ))}
      </div>
      {comments.hasNextPage ? (
        <div className="load-more">
          {comments.isFetchingNextPage ? (
            <Spinner label="Loading more comments" />
          ) : (
            <button type="button" className="button button-secondary" onClick={() => void comments.fetchNextPage()}>
              Show more comments
            </button>
          )}
        </div>
      ) : null}
      {renderReportDialog(reporting, () => setReporting(null))}
    </section>
  );
}

function CommentThread({ comment, video, onReport }: { comment: Comment; video: Video; onReport(commentId: string): void }) {
  const queryClient = useQueryClient();
  const [showReplies, setShowReplies] = useState(false);
  const [replyingTo, setReplyingTo] = useState<Comment | null>(null);
  const replies = useInfiniteQuery({
    ...commentQueries.replies(comment.id),
    enabled: showReplies,
  });
  const replyItems = replies.data?.pages.flatMap((page) => page.items) ?? [];
  const repliesId = useId();

  const onReplyPosted = (reply: Comment) => {
    setReplyingTo(null);
    queryClient.setQueryData<CommentPages>(commentKeys.replies(comment.id), (data) => appendReply(data, reply));
    queryClient.setQueriesData<CommentPages>({ queryKey: commentKeys.commentsOf(video.id) }, (data) =>
      changeTotal(
        updateComment(data, comment.id, (parent) => ({ ...parent, replyCount: parent.replyCount + 1 })),
        1,
      ),
    );
    setShowReplies(true);
  };

  return (
    <div className="comment-thread">
      <CommentItem comment={comment} video={video} onReply={() => setReplyingTo(comment)} onReport={onReport} />
      <div className="comment-thread-children">
        {replyingTo ? (
          <CommentComposer
            videoId={video.id}
            parentId={comment.id}
            authorName={null}
            initialText={replyingTo.id === comment.id ? '' : `@${replyingTo.author.channelHandle ?? replyingTo.author.username} `}
            placeholder="Add a reply…"
            submitLabel="Reply"
            autoFocus
            onCancel={() => setReplyingTo(null)}
            onPosted={onReplyPosted}
          />
        ) : null}
        {comment.replyCount > 0 ? (
          <button
            type="button"
            className="button button-text replies-toggle"
            aria-expanded={showReplies}
            aria-controls={repliesId}
            onClick={() => setShowReplies((value) => !value)}
          >
            <Icon name={showReplies ? 'arrowUp' : 'arrowDown'} size={18} />
            {comment.replyCount === 1 ? '1 reply' : `${comment.replyCount} replies`}
          </button>
        ) : null}
        {showReplies ? (
          <div id={repliesId} className="comment-replies">
            {replies.isPending ? <Spinner label="Loading replies" /> : null}
            {replies.isError ? <ErrorMessage message={describeError(replies.error)} onRetry={() => void replies.refetch()} /> : null}
            {replyItems.map((reply) => (
              <CommentItem key={reply.id} comment={reply} video={video} onReply={() => setReplyingTo(reply)} onReport={onReport} />
            ))}
            {replies.hasNextPage ? (
              <button type="button" className="button button-text" disabled={replies.isFetchingNextPage} onClick={() => void replies.fetchNextPage()}>
                Show more replies
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
    </div>
  );
}

function CommentItem({ comment, video, onReply, onReport }: { comment: Comment; video: Video; onReply(): void; onReport(commentId: string): void }) {
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [editing, setEditing] = useState(false);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  const like = useMutation({
    mutationFn: (liked: boolean) => commentsApi.setCommentLiked(comment.id, liked),
    onMutate: (liked) => {
      const before = comment;
      updateCachedComment(queryClient, video.id, comment.id, (cached) => withLike(cached, liked));
      return { before };
    },
    onError: (error, _liked, context) => {
      if (context) updateCachedComment(queryClient, video.id, comment.id, () => context.before);
      toast.show(describeError(error));
    },
    onSuccess: (saved) =>
      updateCachedComment(queryClient, video.id, comment.id, (cached) => ({ ...cached, likeCount: saved.likeCount, likedByMe: saved.likedByMe })),
  });
  const remove = useMutation({
    mutationFn: () => commentsApi.deleteComment(comment.id),
    onSuccess: () => {
      setConfirmingDelete(false);
      toast.show('Comment deleted');
      if (comment.parentId) {
        const parentId = comment.parentId;
        queryClient.setQueryData<CommentPages>(commentKeys.replies(parentId), (data) => removeComment(data, comment.id, 1));
        queryClient.setQueriesData<CommentPages>({ queryKey: commentKeys.commentsOf(video.id) }, (data) =>
          changeTotal(
            updateComment(data, parentId, (parent) => ({ ...parent, replyCount: Math.max(0, parent.replyCount - 1) })),
            -1,
          ),
        );
      } else {
        queryClient.setQueriesData<CommentPages>({ queryKey: commentKeys.commentsOf(video.id) }, (data) =>
          removeComment(data, comment.id, 1 + comment.replyCount),
        );
        queryClient.removeQueries({ queryKey: commentKeys.replies(comment.id) });
      }
    },
  });

  const actions: MenuAction[] = [];
  if (comment.canEdit) actions.push({ label: 'Edit', icon: 'edit', onSelect: () => setEditing(true) });
  if (comment.canDelete) actions.push({ label: 'Delete', icon: 'delete', onSelect: () => setConfirmingDelete(true) });
  if (user && user.id !== comment.author.id) actions.push({ label: 'Report', icon: 'flag', onSelect: () => onReport(comment.id) });

  const authorName = comment.author.channelHandle ? `@${comment.author.channelHandle}` : comment.author.username;
  const byVideoChannel = comment.author.channelHandle === video.channel.handle;

  return (
    <article className={comment.parentId ? 'comment comment-reply' : 'comment'} data-testid="comment" data-comment-id={comment.id}>
      {comment.author.avatarUrl ? (
        <img className="comment-avatar" src={comment.author.avatarUrl} alt="" width={comment.parentId ? 24 : 40} height={comment.parentId ? 24 : 40} />
      ) : (
        <Avatar name={comment.author.username} size={comment.parentId ? 24 : 40} />
      )}
      <div className="comment-main">
        <div className="comment-meta">
          {comment.author.channelHandle ? (
            <Link
              to={`/channel/${encodeURIComponent(comment.author.channelHandle)}`}
              className={byVideoChannel ? 'comment-author comment-author-owner' : 'comment-author'}
            >
              {authorName}
            </Link>
          ) : (
            <span className="comment-author">{authorName}</span>
          )}
          <span className="muted" title={formatDate(comment.createdAt)}>
            {formatRelativeTime(comment.createdAt)}
            {comment.editedAt ? ' (edited)' : ''}
          </span>
        </div>
        {editing ? (
          <CommentEditor
            comment={comment}
            onDone={(saved) => {
              setEditing(false);
              if (saved) updateCachedComment(queryClient, video.id, comment.id, () => saved);
            }}
          />
        ) : (
          <p className="comment-body" data-testid="comment-body">
            <LinkifiedText text={comment.body} />
          </p>
        )}
        {!editing ? (
          <div className="comment-actions">
            {user ? (
              <button
                type="button"
                className="icon-button comment-like"
                aria-pressed={comment.likedByMe}
                aria-label={comment.likedByMe ? 'Unlike comment' : 'Like comment'}
                onClick={() => like.mutate(!comment.likedByMe)}
              >
                <Icon name={comment.likedByMe ? 'thumbUpFilled' : 'thumbUp'} size={18} />
              </button>
            ) : (
              <Icon name="thumbUp" size={18} className="comment-like-static" />
            )}
            <span className="comment-like-count" data-testid="comment-like-count">
              {comment.likeCount > 0 ? formatCompactNumber(comment.likeCount) : ''}
            </span>
            {user && video.commentsEnabled ? (
              <button type="button" className="button button-text comment-reply-button" onClick={onReply}>
                Reply
              </button>
            ) : null}
            <ActionMenu label="Comment actions" actions={actions} className="comment-menu" />
          </div>
        ) : null}
      </div>
      <Dialog open={confirmingDelete} title="Delete comment" onClose={() => setConfirmingDelete(false)}>
        <p>Delete this comment permanently?{comment.replyCount > 0 ? ' Its replies are deleted with it.' : ''}</p>
        {remove.isError ? <p className="form-error">{describeError(remove.error)}</p> : null}
        <DeleteCancelActions onCancel={() => setConfirmingDelete(false)} onDelete={() => remove.mutate()} deleting={remove.isPending} />
      </Dialog>
    </article>
  );
}

/** Ctrl/⌘+Enter sends, as in most comment boxes. */
function submitsForm(event: KeyboardEvent<HTMLTextAreaElement>): boolean {
  return event.key === 'Enter' && (event.ctrlKey || event.metaKey);
}

function CommentComposer({
  videoId,
  parentId,
  authorName,
  initialText = '',
  placeholder,
  submitLabel,
  autoFocus = false,
  onCancel,
  onPosted,
}: {
  videoId: string;
  parentId?: string;
  authorName: string | null;
  initialText?: string;
  placeholder: string;
  submitLabel: string;
  autoFocus?: boolean;
  onCancel?: () => void;
  onPosted(comment: Comment): void;
}) {
  const [text, setText] = useState(initialText);
  const [active, setActive] = useState(autoFocus);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();
  const post = useMutation({
    mutationFn: (body: string) => commentsApi.addComment(videoId, body, parentId),
    onSuccess: (comment) => {
      setText('');
      setActive(false);
      // Held for the creator's approval: nobody sees it yet, so it is not added to the list.
      if (comment.held) toast.show('Thanks! Your comment will appear once the creator approves it.');
      else onPosted(comment);
    },
    onError: (error) => toast.show(describeError(error)),
  });
  const trimmed = text.trim();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (trimmed && !post.isPending) post.mutate(text);
  };
  return (
    <form ref={formRef} className={parentId ? 'comment-composer comment-composer-reply' : 'comment-composer'} onSubmit={submit} aria-label={submitLabel}>
      {authorName ? <Avatar name={authorName} size={40} /> : null}
      <div className="comment-composer-main">
        <textarea
          aria-label={placeholder.replace('…', '')}
          placeholder={placeholder}
          value={text}
          rows={active ? 2 : 1}
          maxLength={COMMENT_MAX_LENGTH}
          autoFocus={autoFocus}
          onFocus={() => setActive(true)}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={(event) => {
            if (submitsForm(event)) {
              event.preventDefault();
              formRef.current?.requestSubmit();
            }
          }}
        />
        {active ? (
          <div className="form-actions">
            <button
              type="button"
              className="button button-text"
              onClick={() => {
                setText('');
                setActive(false);
                onCancel?.();
              }}
            >
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={!trimmed || post.isPending}>
              {post.isPending ? 'Posting…' : submitLabel}
            </button>
          </div>
        ) : null}
      </div>
    </form>
  );
}

function CommentEditor({ comment, onDone }: { comment: Comment; onDone(saved: Comment | null): void }) {
  const [text, setText] = useState(comment.body);
  const formRef = useRef<HTMLFormElement>(null);
  const save = useMutation({ mutationFn: () => commentsApi.editComment(comment.id, text), onSuccess: (saved) => onDone(saved) });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    if (text === comment.body) onDone(null);
    else save.mutate();
  };
  return (
    <form ref={formRef} className="comment-editor" onSubmit={submit} aria-label="Edit comment">
      {save.isError ? <p className="form-error">{describeError(save.error)}</p> : null}
      <textarea
        aria-label="Edit comment"
        value={text}
        maxLength={COMMENT_MAX_LENGTH}
        autoFocus
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (submitsForm(event)) {
            event.preventDefault();
            formRef.current?.requestSubmit();
          }
        }}
      />
      <div className="form-actions">
        <button type="button" className="button button-text" onClick={() => onDone(null)}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={!text.trim() || save.isPending}>
          {save.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
