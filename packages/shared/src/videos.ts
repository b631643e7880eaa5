import { Type, type Static } from 'typebox';
import { ChannelSummary } from './auth.ts';
import { CommentsPolicy, LanguageTag, PublishVisibility, VideoCategory, VideoLicence } from './creators.ts';
import { LineText, MultiLineText, Nullable } from './common.ts';

export const VideoStatus = Type.Union(
  [
    Type.Literal('awaiting_upload'),
    Type.Literal('queued'),
    Type.Literal('processing'),
    Type.Literal('playable'),
    Type.Literal('ready'),
    Type.Literal('failed'),
  ],
  {
    description:
      'awaiting_upload → queued → processing → (playable →) ready | failed; playable: the chunked pipeline has published the first qualities, HLS only',
  },
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
  /**
   * Chunked pipeline: share of each rung encoded so far and the seconds until it is complete (null until
   * there is something to estimate from), while processing or playable (empty otherwise).
   */
  rungProgress: Type.Array(
    Type.Object({ name: Type.String(), progress: Type.Number({ minimum: 0, maximum: 1 }), etaSeconds: Nullable(Type.Number({ minimum: 0 })) }),
  ),
  /**
   * Chunked pipeline, until the video is ready: 'during_upload' when chunks are encoded while the upload is
   * still arriving (fast-start MP4), 'at_completion' when the file allows that only once it is complete
   * (`processingStartNote` says why, for the studio); null when not decided yet or not applicable.
   */
  processingStart: Nullable(Type.Union([Type.Literal('during_upload'), Type.Literal('at_completion')])),
  processingStartNote: Nullable(Type.String()),
  /** 1 = next to be picked up, while queued. */
  queuePosition: Nullable(Type.Integer()),
  durationSeconds: Nullable(Type.Number()),
  width: Nullable(Type.Integer()),
  height: Nullable(Type.Integer()),
  renditions: Type.Array(Rendition),
  thumbnailUrl: Nullable(Type.String()),
  storyboard: Nullable(Type.Object({ vttUrl: Type.String() })),
  playback: Nullable(
    Type.Object({ hls: Type.String(), dash: Nullable(Type.String({ description: 'null while playable: the MPD is written when every chunk exists' })) }),
  ),
  tags: Type.Array(Type.String()),
  viewCount: Type.Integer(),
  likeCount: Type.Integer(),
  dislikeCount: Type.Integer(),
  commentCount: Type.Integer(),
  commentsEnabled: Type.Boolean(),
  channel: ChannelSummary,
  createdAt: Type.String({ format: 'date-time' }),
  publishedAt: Nullable(Type.String({ format: 'date-time' })),
  /** A draft stays private until its owner publishes it. */
  draft: Type.Boolean(),
  /** When a scheduled video becomes `scheduledVisibility`; it is private until then. */
  scheduledAt: Nullable(Type.String({ format: 'date-time' })),
  scheduledVisibility: Nullable(PublishVisibility),
  category: Nullable(VideoCategory),
  language: Nullable(LanguageTag),
  licence: Nullable(VideoLicence),
  commentsPolicy: CommentsPolicy,
  /** Everyone who can watch may download the MP4; the owner and admins always may. */
  allowDownloads: Type.Boolean(),
});
export type Video = Static<typeof Video>;

/** Fields creators set at creation and edit later (scheduling, search metadata, comments policy). */
const CreatorFields = {
  /** Keep the video private as a draft until it is published (POST /videos/:id/publish). */
  draft: Type.Optional(Type.Boolean()),
  /** Publish at this future moment (the video is private until then, with `visibility` as what it becomes). */
  publishAt: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  category: Type.Optional(Type.Union([VideoCategory, Type.Null()])),
  language: Type.Optional(Type.Union([LanguageTag, Type.Null()])),
  licence: Type.Optional(Type.Union([VideoLicence, Type.Null()])),
  commentsPolicy: Type.Optional(CommentsPolicy),
  /** Everyone who can watch may download the MP4 (GET /videos/:id/download); the owner and admins always may. */
  allowDownloads: Type.Optional(Type.Boolean()),
};

export const CreateVideoBody = Type.Object(
  {
    title: LineText({ minLength: 1, maxLength: 100 }),
    description: Type.Optional(MultiLineText({ maxLength: 5000 })),
    visibility: Type.Optional(Visibility),
    tags: Type.Optional(Type.Array(LineText({ minLength: 1, maxLength: 30 }), { maxItems: 15 })),
    /** One of the signed-in user's channels; defaults to their default channel. */
    channelId: Type.Optional(Type.String({ format: 'uuid' })),
    ...CreatorFields,
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
    title: Type.Optional(LineText({ minLength: 1, maxLength: 100 })),
    description: Type.Optional(MultiLineText({ maxLength: 5000 })),
    visibility: Type.Optional(Visibility),
    tags: Type.Optional(Type.Array(LineText({ minLength: 1, maxLength: 30 }), { maxItems: 15 })),
    commentsEnabled: Type.Optional(Type.Boolean()),
    ...CreatorFields,
  },
  { additionalProperties: false },
);
export type UpdateVideoBody = Static<typeof UpdateVideoBody>;

/** PUT /api/v1/videos/:id/channel: moves a video to another channel of its owner. */
export const MoveVideoBody = Type.Object({ channelId: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export type MoveVideoBody = Static<typeof MoveVideoBody>;

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

/**
 * Path parameters of the media routes (`/media/...`, hidden from the API docs). Deliberately loose: a key that is
 * not media is a 404 from the route, the same answer as a file that does not exist, never a 400 that tells them apart.
 */
export const SignedMediaParams = Type.Object({ token: Type.String(), '*': Type.String() });
export type SignedMediaParams = Static<typeof SignedMediaParams>;
export const MediaParams = Type.Object({ '*': Type.String() });
export type MediaParams = Static<typeof MediaParams>;
export const ChannelImageParams = Type.Object({ channelId: Type.String(), file: Type.String() });
export type ChannelImageParams = Static<typeof ChannelImageParams>;
