import { Type, type Static } from 'typebox';
import { Visibility, Video } from './videos.ts';
import { CursorText, LineText, MultiLineText, Nullable } from './common.ts';

const pageOf = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String()) });

export const HANDLE_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$';

export const Channel = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  name: Type.String(),
  description: Type.String(),
  avatarUrl: Nullable(Type.String()),
  bannerUrl: Nullable(Type.String()),
  subscriberCount: Type.Integer(),
  videoCount: Type.Integer(),
  owner: Type.Object({ id: Type.String(), username: Type.String() }),
  isDefault: Type.Boolean(),
  /** Whether the signed-in viewer subscribes; null for anonymous viewers. */
  subscribed: Nullable(Type.Boolean()),
  createdAt: Type.String({ format: 'date-time' }),
});
export type Channel = Static<typeof Channel>;
export const ChannelList = Type.Object({ items: Type.Array(Channel) });
export type ChannelList = Static<typeof ChannelList>;

export const CreateChannelBody = Type.Object(
  {
    handle: Type.String({ pattern: HANDLE_PATTERN, description: '3–32 letters, digits, _ . -; unique ignoring case' }),
    name: LineText({ minLength: 1, maxLength: 60 }),
    description: Type.Optional(MultiLineText({ maxLength: 1000 })),
  },
  { additionalProperties: false },
);
export type CreateChannelBody = Static<typeof CreateChannelBody>;

export const UpdateChannelBody = Type.Object(
  { name: Type.Optional(LineText({ minLength: 1, maxLength: 60 })), description: Type.Optional(MultiLineText({ maxLength: 1000 })) },
  { additionalProperties: false },
);
export type UpdateChannelBody = Static<typeof UpdateChannelBody>;

export const Rating = Type.Union([Type.Literal('like'), Type.Literal('dislike'), Type.Literal('none')]);
export type Rating = Static<typeof Rating>;
export const RatingBody = Type.Object({ rating: Rating }, { additionalProperties: false });
export type RatingBody = Static<typeof RatingBody>;
export const RatingState = Type.Object({ likeCount: Type.Integer(), dislikeCount: Type.Integer(), myRating: Rating });
export type RatingState = Static<typeof RatingState>;

export const Comment = Type.Object({
  id: Type.String(),
  videoId: Type.String(),
  parentId: Nullable(Type.String()),
  /** Exactly as written; clients must render it as text, never as HTML. */
  body: Type.String(),
  author: Type.Object({ id: Type.String(), username: Type.String(), channelHandle: Nullable(Type.String()), avatarUrl: Nullable(Type.String()) }),
  likeCount: Type.Integer(),
  replyCount: Type.Integer(),
  likedByMe: Type.Boolean(),
  /** The signed-in viewer may edit (author) / delete (author, video owner, admin). */
  canEdit: Type.Boolean(),
  canDelete: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  editedAt: Nullable(Type.String({ format: 'date-time' })),
  /** Waiting for the video owner's approval (shown to its author and the owner only); absent means false. */
  held: Type.Optional(Type.Boolean()),
});
export type Comment = Static<typeof Comment>;
export const CommentPage = Type.Object({ items: Type.Array(Comment), nextCursor: Nullable(Type.String()), total: Type.Integer() });
export type CommentPage = Static<typeof CommentPage>;
export const CommentQuery = Type.Object({
  sort: Type.Optional(Type.Union([Type.Literal('newest'), Type.Literal('top')], { default: 'top' })),
  cursor: Type.Optional(CursorText()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
export type CommentQuery = Static<typeof CommentQuery>;
export const CreateCommentBody = Type.Object(
  { body: MultiLineText({ minLength: 1, maxLength: 10000 }), parentId: Type.Optional(Type.String({ format: 'uuid' })) },
  { additionalProperties: false },
);
export type CreateCommentBody = Static<typeof CreateCommentBody>;
export const EditCommentBody = Type.Object({ body: MultiLineText({ minLength: 1, maxLength: 10000 }) }, { additionalProperties: false });
export type EditCommentBody = Static<typeof EditCommentBody>;

export const PlaylistKind = Type.Union([Type.Literal('regular'), Type.Literal('watch_later')]);
export const PlaylistSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  visibility: Visibility,
  kind: PlaylistKind,
  videoCount: Type.Integer(),
  thumbnailUrl: Nullable(Type.String()),
  owner: Type.Object({ id: Type.String(), username: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type PlaylistSummary = Static<typeof PlaylistSummary>;
export const Playlist = Type.Object({ ...PlaylistSummary.properties, items: Type.Array(Video) });
export type Playlist = Static<typeof Playlist>;
export const PlaylistList = Type.Object({ items: Type.Array(PlaylistSummary) });
export type PlaylistList = Static<typeof PlaylistList>;
export const CreatePlaylistBody = Type.Object(
  { title: LineText({ minLength: 1, maxLength: 150 }), description: Type.Optional(MultiLineText({ maxLength: 5000 })), visibility: Type.Optional(Visibility) },
  { additionalProperties: false },
);
export type CreatePlaylistBody = Static<typeof CreatePlaylistBody>;
export const UpdatePlaylistBody = Type.Object(
  {
    title: Type.Optional(LineText({ minLength: 1, maxLength: 150 })),
    description: Type.Optional(MultiLineText({ maxLength: 5000 })),
    visibility: Type.Optional(Visibility),
  },
  { additionalProperties: false },
);
export type UpdatePlaylistBody = Static<typeof UpdatePlaylistBody>;
export const PlaylistItemBody = Type.Object({ videoId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const ReorderPlaylistBody = Type.Object({ videoIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 5000 }) }, { additionalProperties: false });
/** `watch-later` may be used in place of a playlist id for the signed-in user's Watch later list. */
export const PlaylistParams = Type.Object({ id: Type.Union([Type.String({ format: 'uuid' }), Type.Literal('watch-later')]) });

export const HistoryEntry = Type.Object({ video: Video, positionSeconds: Type.Number(), watchedAt: Type.String({ format: 'date-time' }) });
export type HistoryEntry = Static<typeof HistoryEntry>;
export const HistoryPage = pageOf(HistoryEntry);
export type HistoryPage = Static<typeof HistoryPage>;
export const ProgressBody = Type.Object({ positionSeconds: Type.Number({ minimum: 0, maximum: 86400 }) }, { additionalProperties: false });
export const Progress = Type.Object({ positionSeconds: Nullable(Type.Number()) });
export type Progress = Static<typeof Progress>;
export const HistorySettings = Type.Object({ paused: Type.Boolean() }, { additionalProperties: false });
export type HistorySettings = Static<typeof HistorySettings>;

export const Quota = Type.Object({
  usedBytes: Type.Integer(),
  limitBytes: Nullable(Type.Integer({ description: 'null = unlimited' })),
  /** The largest single upload the server accepts (UPLOAD_MAX_BYTES), so clients can say so before the transfer starts. */
  maxFileBytes: Type.Optional(Type.Integer()),
});
export type Quota = Static<typeof Quota>;
