import type { Comment, CommentPage } from '@tube/shared';

/** The cached pages of a comment (or reply) list, as React Query's infinite queries keep them. */
export interface CommentPages {
  pages: CommentPage[];
  pageParams: unknown[];
}

function withTotal(data: CommentPages, change: number): CommentPage[] {
  return data.pages.map((page) => ({ ...page, total: Math.max(0, page.total + change) }));
}

/** Adds `change` to the count of comments (replies included) that every page carries. */
export function changeTotal(data: CommentPages | undefined, change: number): CommentPages | undefined {
  return data ? { ...data, pages: withTotal(data, change) } : data;
}

/** A new top-level comment goes first (where its author looks for it, whatever the sort order). */
export function prependComment(data: CommentPages | undefined, comment: Comment): CommentPages | undefined {
  if (!data) return data;
  const pages = withTotal(data, 1);
  const [first, ...rest] = pages;
  if (!first) return data;
  return { ...data, pages: [{ ...first, items: [comment, ...first.items.filter((item) => item.id !== comment.id)] }, ...rest] };
}

/** A new reply goes last: replies read oldest first. Only once every page is loaded, so it is not shown twice later. */
export function appendReply(data: CommentPages | undefined, reply: Comment): CommentPages | undefined {
  if (!data) return data;
  const pages = withTotal(data, 1);
  const last = pages.at(-1);
  if (!last || last.nextCursor !== null) return { ...data, pages };
  return { ...data, pages: [...pages.slice(0, -1), { ...last, items: [...last.items.filter((item) => item.id !== reply.id), reply] }] };
}

/** Applies `change` to the comment with this id wherever it is. */
export function updateComment(data: CommentPages | undefined, id: string, change: (comment: Comment) => Comment): CommentPages | undefined {
  if (!data) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.map((item) => (item.id === id ? change(item) : item)) })) };
}

/** Drops a deleted comment; `removedCount` is the comment plus its replies, which go with it. */
export function removeComment(data: CommentPages | undefined, id: string, removedCount: number): CommentPages | undefined {
  if (!data) return data;
  const present = data.pages.some((page) => page.items.some((item) => item.id === id));
  if (!present) return data;
  return { ...data, pages: withTotal(data, -removedCount).map((page) => ({ ...page, items: page.items.filter((item) => item.id !== id) })) };
}

/** The comment as it will be once the like (or its removal) is stored. */
export function withLike(comment: Comment, liked: boolean): Comment {
  if (comment.likedByMe === liked) return comment;
  return { ...comment, likedByMe: liked, likeCount: Math.max(0, comment.likeCount + (liked ? 1 : -1)) };
}
