import { infiniteQueryOptions, queryOptions } from '@tanstack/react-query';
import { keyRoots } from '../../api/query-keys.ts';
import type { Comment, CommentPage, HeldCommentList } from '@tube/shared';
import { requestJson, requestNoContent, withQuery, jsonBody, videoPath, commentPath } from '../../api/client.ts';

export type CommentSort = 'top' | 'newest';

export const commentsApi = {
  listComments: (videoId: string, sort: CommentSort, cursor: string | null) =>
    requestJson<CommentPage>(withQuery(`${videoPath(videoId)}/comments`, { sort, cursor, limit: 20 })),
  listReplies: (commentId: string, cursor: string | null) => requestJson<CommentPage>(withQuery(`${commentPath(commentId)}/replies`, { cursor, limit: 20 })),
  addComment: (videoId: string, body: string, parentId?: string) =>
    requestJson<Comment>(`${videoPath(videoId)}/comments`, jsonBody('POST', parentId ? { body, parentId } : { body })),
  editComment: (commentId: string, body: string) => requestJson<Comment>(commentPath(commentId), jsonBody('PATCH', { body })),
  deleteComment: (commentId: string) => requestNoContent(commentPath(commentId), { method: 'DELETE' }),
  setCommentLiked: (commentId: string, liked: boolean) => requestJson<Comment>(`${commentPath(commentId)}/like`, { method: liked ? 'PUT' : 'DELETE' }),
  heldComments: () => requestJson<HeldCommentList>('/api/v1/studio/comments/held'),
  approveComment: (commentId: string) => requestJson<Comment>(`${commentPath(commentId)}/approve`, { method: 'POST' }),
};

export const commentKeys = {
  commentsOf: (videoId: string) => ['comments', videoId] as const,
  comments: (videoId: string, sort: CommentSort) => ['comments', videoId, sort] as const,
  /** Every page of replies in the cache. */
  allReplies: ['replies'] as const,
  replies: (commentId: string) => ['replies', commentId] as const,
  held: [...keyRoots.studio, 'held-comments'] as const,
};

export const commentQueries = {
  comments: (videoId: string, sort: CommentSort) =>
    infiniteQueryOptions({
      queryKey: commentKeys.comments(videoId, sort),
      queryFn: ({ pageParam }) => commentsApi.listComments(videoId, sort, pageParam),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  replies: (commentId: string) =>
    infiniteQueryOptions({
      queryKey: commentKeys.replies(commentId),
      queryFn: ({ pageParam }) => commentsApi.listReplies(commentId, pageParam),
      initialPageParam: null as string | null,
      getNextPageParam: (lastPage) => lastPage.nextCursor,
    }),
  held: () => queryOptions({ queryKey: commentKeys.held, queryFn: () => commentsApi.heldComments() }),
};
