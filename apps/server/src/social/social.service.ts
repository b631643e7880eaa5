import type { Comment, CommentPage, HeldCommentList, Rating, RatingState } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { badRequest, conflict, forbidden, notFound } from '../infra/http/errors.ts';
import { COMMENT_EMAIL_QUEUE, enqueueEmail } from '../accounts/account.queues.ts';
import { decodeCompositeKeyset, encodeCompositeKeyset } from '../infra/db/keyset.ts';
import type { VideoService } from '../videos/video.service.ts';
import type { CommentCursor, CommentRepository, CommentRow } from './comment.repository.ts';
import type { RatingRepository, StoredRating } from './rating.repository.ts';
import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { MediaUrls } from '../playback/media-urls.ts';
import type { VideoRepository } from '../videos/video.repository.ts';

const RATING_VALUES: Record<Rating, StoredRating> = { like: 1, dislike: -1, none: 0 };
const RATING_NAMES = { 1: 'like', [-1]: 'dislike', 0: 'none' } as const satisfies Record<StoredRating, Rating>;

type CommentSort = 'newest' | 'top' | 'oldest';
const commentOrder = (sort: CommentSort) => `comments:${sort}`;

/** A cursor issued for another order (or not by this server) is a 400, never a cast PostgreSQL refuses. */
function decodeCursor(value: string | undefined, sort: CommentSort): CommentCursor | null {
  return sort === 'top'
    ? decodeCompositeKeyset(commentOrder(sort), value, ['number', 'timestamp'] as const)
    : decodeCompositeKeyset(commentOrder(sort), value, ['timestamp'] as const);
}

/** Likes/dislikes and comments. Every action first checks the viewer may see the video. */
export class SocialService {
  constructor(
    private readonly videos: VideoService,
    private readonly videoRepo: VideoRepository,
    private readonly ratings: RatingRepository,
    private readonly comments: CommentRepository,
    private readonly urls: MediaUrls,
    private readonly queue: PgBoss,
    private readonly logger: Logger,
  ) {}

  async rating(videoId: string, viewer: AuthUser | null): Promise<RatingState> {
    await this.videos.get(videoId, viewer);
    const counts = await this.ratings.counts(videoId);
    return { ...counts, myRating: viewer ? RATING_NAMES[await this.ratings.ratingOf(viewer.id, videoId)] : 'none' };
  }

  async rate(videoId: string, user: AuthUser, rating: Rating): Promise<RatingState> {
    const video = await this.videos.get(videoId, user);
    if (video.status !== 'ready') throw badRequest('Videos can be rated once they are published', 'not_ready');
    await this.ratings.setRating(user.id, videoId, RATING_VALUES[rating]);
    await this.videos.invalidate(videoId);
    return this.rating(videoId, user);
  }

  private toDto(row: CommentRow, viewer: AuthUser | null, videoOwnerId: string): Comment {
    const isAuthor = viewer?.id === row.user_id;
    return {
      id: row.id,
      videoId: row.video_id,
      parentId: row.parent_id,
      body: row.body,
      author: {
        id: row.user_id,
        username: row.username,
        channelHandle: row.channel_handle,
        avatarUrl: this.urls.assetUrl(row.avatar_key),
      },
      likeCount: Number(row.like_count),
      replyCount: Number(row.reply_count),
      likedByMe: Boolean(row.liked_by_me),
      canEdit: isAuthor,
      canDelete: isAuthor || viewer?.id === videoOwnerId || viewer?.role === 'admin',
      createdAt: row.created_at.toISOString(),
      editedAt: row.edited_at ? new Date(row.edited_at).toISOString() : null,
      held: row.held,
    };
  }

  private async videoOwner(videoId: string): Promise<string> {
    const row = await this.videoRepo.findById(videoId);
    if (!row) throw notFound('Video not found');
    return row.user_id;
  }

  async listComments(videoId: string, viewer: AuthUser | null, query: { sort?: 'newest' | 'top'; cursor?: string; limit?: number }): Promise<CommentPage> {
    await this.videos.get(videoId, viewer);
    const sort = query.sort ?? 'top';
    const limit = query.limit ?? 20;
    const rows = await this.comments.list({ videoId, viewerId: viewer?.id ?? null, sort, cursor: decodeCursor(query.cursor, sort), limit: limit + 1 });
    return this.page(rows, limit, viewer, await this.videoOwner(videoId), sort, await this.comments.countVisible(videoId));
  }

  async listReplies(commentId: string, viewer: AuthUser | null, query: { cursor?: string; limit?: number }): Promise<CommentPage> {
    const parent = await this.comments.findById(commentId);
    if (!parent || parent.hidden_at) throw notFound('Comment not found');
    await this.videos.get(parent.video_id, viewer);
    const limit = query.limit ?? 20;
    const rows = await this.comments.list({
      parentId: commentId,
      viewerId: viewer?.id ?? null,
      sort: 'oldest',
      cursor: decodeCursor(query.cursor, 'oldest'),
      limit: limit + 1,
    });
    return this.page(rows, limit, viewer, await this.videoOwner(parent.video_id), 'oldest', Number(parent.reply_count));
  }

  private page(rows: CommentRow[], limit: number, viewer: AuthUser | null, ownerId: string, sort: CommentSort, total: number): CommentPage {
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    const keys = (row: CommentRow) => (sort === 'top' ? [Number(row.like_count), row.position] : [row.position]);
    return {
      items: items.map((row) => this.toDto(row, viewer, ownerId)),
      nextCursor: rows.length > limit && last ? encodeCompositeKeyset(commentOrder(sort), keys(last), last.id) : null,
      total,
    };
  }

  async addComment(videoId: string, user: AuthUser, input: { body: string; parentId?: string | undefined }): Promise<Comment> {
    const video = await this.videos.get(videoId, user);
    if (video.status !== 'ready') throw badRequest('Comments open once the video is published', 'not_ready');
    if (!video.commentsEnabled) throw forbidden('Comments are turned off for this video');
    const body = input.body.trim();
    if (!body) throw badRequest('A comment cannot be empty', 'empty_comment');
    if (input.parentId) {
      const parent = await this.comments.findById(input.parentId);
      if (!parent || parent.video_id !== videoId || parent.hidden_at) throw notFound('The comment you reply to does not exist');
      // One level of replies: answering a reply attaches to its top-level comment.
      input = { ...input, parentId: parent.parent_id ?? parent.id };
    }
    const ownerId = await this.videoOwner(videoId);
    // The owner's own comments are never held for their own approval.
    const held = video.commentsPolicy === 'held' && user.id !== ownerId;
    const id = await this.comments.create({ videoId, userId: user.id, parentId: input.parentId ?? null, body, held });
    await this.videos.invalidate(videoId);
    await enqueueEmail(this.queue, COMMENT_EMAIL_QUEUE, { commentId: id }).catch((error: unknown) =>
      this.logger.warn({ err: error, commentId: id }, 'could not queue the comment email'),
    );
    return this.toDto((await this.comments.findById(id, user.id))!, user, await this.videoOwner(videoId));
  }

  private async visibleComment(id: string, viewer: AuthUser | null): Promise<CommentRow> {
    const row = await this.comments.findById(id, viewer?.id ?? null);
    if (!row || (row.hidden_at && viewer?.role !== 'admin')) throw notFound('Comment not found');
    await this.videos.get(row.video_id, viewer);
    if (row.held && viewer?.id !== row.user_id && viewer?.id !== (await this.videoOwner(row.video_id)) && viewer?.role !== 'admin')
      throw notFound('Comment not found');
    return row;
  }

  /** The studio's approval queue: comments held on the user's videos, oldest first. */
  async heldComments(user: AuthUser): Promise<HeldCommentList> {
    const rows = await this.comments.listHeldForOwner(user.id, 100);
    return { items: rows.map((row) => ({ comment: this.toDto(row, user, user.id), video: { id: row.video_id, title: row.video_title } })) };
  }

  async approveComment(id: string, user: AuthUser): Promise<Comment> {
    const row = await this.comments.findById(id, user.id);
    if (!row || (await this.videoOwner(row.video_id)) !== user.id) throw notFound('Comment not found');
    if (!(await this.comments.approve(id))) throw conflict('This comment is not waiting for approval', 'not_held');
    await this.videos.invalidate(row.video_id);
    return this.toDto((await this.comments.findById(id, user.id))!, user, user.id);
  }

  async editComment(id: string, user: AuthUser, body: string): Promise<Comment> {
    const row = await this.visibleComment(id, user);
    if (row.user_id !== user.id) throw forbidden('Only the author can edit a comment');
    if (!body.trim()) throw badRequest('A comment cannot be empty', 'empty_comment');
    await this.comments.edit(id, body.trim());
    return this.toDto((await this.comments.findById(id, user.id))!, user, await this.videoOwner(row.video_id));
  }

  async deleteComment(id: string, user: AuthUser): Promise<void> {
    const row = await this.visibleComment(id, user);
    const ownerId = await this.videoOwner(row.video_id);
    if (row.user_id !== user.id && ownerId !== user.id && user.role !== 'admin') throw forbidden('Only the author or the video’s owner can delete a comment');
    await this.comments.delete(row);
    await this.videos.invalidate(row.video_id);
  }

  async likeComment(id: string, user: AuthUser, liked: boolean): Promise<Comment> {
    const row = await this.visibleComment(id, user);
    await this.comments.setLike(user.id, id, liked);
    return this.toDto((await this.comments.findById(id, user.id))!, user, await this.videoOwner(row.video_id));
  }
}
