import { Type, type Static } from 'typebox';
import { CursorText, LineText } from './common.ts';
import { Comment } from './community.ts';
import { Video, VideoStatus, Visibility } from './videos.ts';

/** The studio's approval queue for videos whose comments policy is `held`. */
export const HeldCommentList = Type.Object({
  items: Type.Array(Type.Object({ comment: Comment, video: Type.Object({ id: Type.String(), title: Type.String() }) })),
});
export type HeldCommentList = Static<typeof HeldCommentList>;

export const StudioVisibilityFilter = Type.Union([
  Type.Literal('public'),
  Type.Literal('unlisted'),
  Type.Literal('private'),
  Type.Literal('draft'),
  Type.Literal('scheduled'),
]);
export type StudioVisibilityFilter = Static<typeof StudioVisibilityFilter>;
export const StudioSort = Type.Union([
  Type.Literal('newest'),
  Type.Literal('oldest'),
  Type.Literal('title'),
  Type.Literal('views'),
  Type.Literal('likes'),
  Type.Literal('comments'),
]);
export type StudioSort = Static<typeof StudioSort>;

export const StudioVideoQuery = Type.Object({
  q: Type.Optional(LineText({ maxLength: 100, description: 'Words of the title' })),
  status: Type.Optional(VideoStatus),
  visibility: Type.Optional(StudioVisibilityFilter),
  channelId: Type.Optional(Type.String({ format: 'uuid' })),
  sort: Type.Optional(StudioSort),
  cursor: Type.Optional(CursorText({ maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
});
export type StudioVideoQuery = Static<typeof StudioVideoQuery>;

/** At-a-glance numbers for one row of the studio list. */
export const StudioVideoStats = Type.Object({
  viewsLast7Days: Type.Integer(),
  watchSecondsLast7Days: Type.Number(),
  heldComments: Type.Integer(),
});
export type StudioVideoStats = Static<typeof StudioVideoStats>;

/** A VideoPage (so older clients keep working) with the total and each video's stats. */
export const StudioVideoPage = Type.Object({
  items: Type.Array(Video),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Integer(),
  stats: Type.Record(Type.String(), StudioVideoStats),
});
export type StudioVideoPage = Static<typeof StudioVideoPage>;

export const StudioBulkBody = Type.Object(
  {
    ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 100, uniqueItems: true }),
    action: Type.Union([Type.Literal('set_visibility'), Type.Literal('delete'), Type.Literal('add_to_playlist')]),
    visibility: Type.Optional(Visibility),
    playlistId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type StudioBulkBody = Static<typeof StudioBulkBody>;

export const StudioBulkResult = Type.Object({
  done: Type.Array(Type.String()),
  failed: Type.Array(Type.Object({ id: Type.String(), message: Type.String() })),
});
export type StudioBulkResult = Static<typeof StudioBulkResult>;
