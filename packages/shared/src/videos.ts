import { Type, type Static } from 'typebox';
import { ChannelSummary } from './auth.ts';

export const VideoStatus = Type.Union(
  [Type.Literal('awaiting_upload'), Type.Literal('queued'), Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')],
  { description: 'awaiting_upload → queued → processing → ready | failed' },
);
export type VideoStatus = Static<typeof VideoStatus>;

export const Visibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted'), Type.Literal('private')]);
export type Visibility = Static<typeof Visibility>;

export const Rendition = Type.Object({
  name: Type.String({ description: 'e.g. 720p' }),
  width: Type.Integer(),
  height: Type.Integer(),
  bandwidth: Type.Integer({ description: 'peak bits per second, video + audio' }),
  codecs: Type.String({ description: 'RFC 6381 codecs string, e.g. avc1.64001f,mp4a.40.2' }),
  frameRate: Type.Number(),
});
export type Rendition = Static<typeof Rendition>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Video = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.String(),
  visibility: Visibility,
  status: VideoStatus,
  /** Why processing failed, in words a person can act on. */
  error: Nullable(Type.String()),
  /** 0..1 while processing. */
  progress: Nullable(Type.Number()),
  etaSeconds: Nullable(Type.Number()),
  /** 1 = next to be picked up, while queued. */
  queuePosition: Nullable(Type.Integer()),
  durationSeconds: Nullable(Type.Number()),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  renditions: Type.Array(Rendition),
  thumbnailUrl: Nullable(Type.String()),
  storyboard: Nullable(Type.Object({ vttUrl: Type.String() })),
  playback: Nullable(Type.Object({ hls: Type.String(), dash: Type.String() })),
  tags: Type.Array(Type.String()),
  viewCount: Type.Integer(),
  likeCount: Type.Integer(),
  dislikeCount: Type.Integer(),
  commentCount: Type.Integer(),
  commentsEnabled: Type.Boolean(),
  channel: ChannelSummary,
  createdAt: Type.String({ format: 'date-time' }),
  publishedAt: Nullable(Type.String({ format: 'date-time' })),
});
export type Video = Static<typeof Video>;

export const CreateVideoBody = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    visibility: Type.Optional(Visibility),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 15 })),
    /** One of the signed-in user's channels; defaults to their default channel. */
    channelId: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
export type CreateVideoBody = Static<typeof CreateVideoBody>;

export const CreatedVideo = Type.Object({
  id: Type.String(),
  status: Type.Literal('awaiting_upload'),
  upload: Type.Object({ url: Type.String({ description: 'tus endpoint; send the file there with metadata videoId' }), maxBytes: Type.Integer() }),
});
export type CreatedVideo = Static<typeof CreatedVideo>;

export const VideoPage = Type.Object({ items: Type.Array(Video), nextCursor: Type.Union([Type.String(), Type.Null()]) });
export type VideoPage = Static<typeof VideoPage>;

export const UpdateVideoBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    visibility: Type.Optional(Visibility),
    tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 30 }), { maxItems: 15 })),
    commentsEnabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UpdateVideoBody = Static<typeof UpdateVideoBody>;

export const Playback = Type.Object({
  videoId: Type.String(),
  hls: Type.String({ description: 'HLS master playlist (CMAF segments)' }),
  dash: Type.String({ description: 'DASH manifest over the same segments' }),
  thumbnails: Type.Object({ poster: Type.String(), storyboardSprite: Nullable(Type.String()) }),
  storyboardVtt: Nullable(Type.String({ description: 'WebVTT thumbnails track for scrub previews' })),
  durationSeconds: Type.Number(),
  renditions: Type.Array(Rendition),
  /** When signed URLs stop working (unlisted and private videos); null for public videos, whose URLs are stable. */
  expiresAt: Nullable(Type.String({ format: 'date-time' })),
});
export type Playback = Static<typeof Playback>;

export const ViewResult = Type.Object({ counted: Type.Boolean({ description: 'false when this viewer was already counted recently' }) });
export type ViewResult = Static<typeof ViewResult>;

/**
 * tus `Upload-Metadata` keys the upload endpoint understands: `videoId` uploads into a video created with
 * POST /api/v1/videos; without it the upload creates the video itself from `title`/`filename`.
 */
export const UPLOAD_METADATA_KEYS = ['videoId', 'filename', 'filetype', 'title', 'description', 'visibility'] as const;
