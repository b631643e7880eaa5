import { Type, type Static } from 'typebox';
import { ChannelSummary } from './auth.ts';
import { Video, Visibility } from './videos.ts';
import { LanguageTag, VideoCategory } from './creators.ts';
import { CursorText, LineText, MultiLineText, Nullable } from './common.ts';

const Cursor = Type.Optional(CursorText());
const DateTime = Type.String({ format: 'date-time' });

// ── Search ───────────────────────────────────────────────────────────────────────────────────────────────────────

export const SearchType = Type.Union([Type.Literal('videos'), Type.Literal('channels')]);
export type SearchType = Static<typeof SearchType>;

export const SearchDuration = Type.Union([Type.Literal('short'), Type.Literal('medium'), Type.Literal('long')], {
  description: 'short: under 4 minutes; medium: 4–20 minutes; long: over 20 minutes',
});
export type SearchDuration = Static<typeof SearchDuration>;

export const SearchUploaded = Type.Union([Type.Literal('hour'), Type.Literal('today'), Type.Literal('week'), Type.Literal('month'), Type.Literal('year')], {
  description: 'Published within the last hour, 24 hours, 7 days, 30 days or 365 days',
});
export type SearchUploaded = Static<typeof SearchUploaded>;

export const SearchSort = Type.Union([Type.Literal('relevance'), Type.Literal('date'), Type.Literal('views')], {
  description: 'For channels: date = newest channels, views = most subscribers',
});
export type SearchSort = Static<typeof SearchSort>;

export const SearchQuery = Type.Object({
  q: LineText({ minLength: 1, maxLength: 200, description: 'Words to look for; misspellings are tolerated. Supports "quoted phrases" and -excluded words.' }),
  type: Type.Optional(Type.Union(SearchType.anyOf, { default: 'videos', description: 'duration and uploaded apply to videos only' })),
  duration: Type.Optional(SearchDuration),
  uploaded: Type.Optional(SearchUploaded),
  category: Type.Optional(VideoCategory),
  language: Type.Optional(LanguageTag),
  sort: Type.Optional(
    Type.Union(SearchSort.anyOf, {
      default: 'relevance',
      description: 'For channels: date = newest channels, views = most subscribers',
    }),
  ),
  cursor: Cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
});
export type SearchQuery = Static<typeof SearchQuery>;

export const ChannelResult = Type.Object({
  id: Type.String(),
  handle: Type.String(),
  name: Type.String(),
  description: Type.String(),
  avatarUrl: Nullable(Type.String()),
  subscriberCount: Type.Integer(),
  /** Public videos anyone can watch. */
  videoCount: Type.Integer(),
});
export type ChannelResult = Static<typeof ChannelResult>;

export const VideoSearchResults = Type.Object({ type: Type.Literal('videos'), items: Type.Array(Video), nextCursor: Nullable(Type.String()) });
export type VideoSearchResults = Static<typeof VideoSearchResults>;
export const ChannelSearchResults = Type.Object({ type: Type.Literal('channels'), items: Type.Array(ChannelResult), nextCursor: Nullable(Type.String()) });
export type ChannelSearchResults = Static<typeof ChannelSearchResults>;
/** Discriminated by `type`, which echoes the request's `type`. */
export const SearchResults = Type.Union([VideoSearchResults, ChannelSearchResults]);
export type SearchResults = Static<typeof SearchResults>;

export const SuggestionsQuery = Type.Object({ q: LineText({ maxLength: 100, description: 'What has been typed so far' }) });
export type SuggestionsQuery = Static<typeof SuggestionsQuery>;
export const Suggestions = Type.Object({ suggestions: Type.Array(Type.String(), { maxItems: 8, description: 'Video titles, best match first' }) });
export type Suggestions = Static<typeof Suggestions>;

// ── Discovery feeds ──────────────────────────────────────────────────────────────────────────────────────────────

export const TrendingQuery = Type.Object({ cursor: Cursor, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 24 })) });
export type TrendingQuery = Static<typeof TrendingQuery>;
export const TrendingPage = Type.Object({
  items: Type.Array(Video),
  nextCursor: Nullable(Type.String()),
  /** When the ranking was last recomputed (every few minutes); null before the first run. */
  updatedAt: Nullable(DateTime),
});
export type TrendingPage = Static<typeof TrendingPage>;

export const HomeQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 12, description: 'Videos per section' })) });
export type HomeQuery = Static<typeof HomeQuery>;
export const HomeFeed = Type.Object({
  trending: Type.Array(Video, { description: 'Top of GET /api/v1/feed/trending' }),
  newest: Type.Array(Video, { description: 'Newest public videos, as GET /api/v1/videos' }),
});
export type HomeFeed = Static<typeof HomeFeed>;

export const RelatedQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 12 })) });
export type RelatedQuery = Static<typeof RelatedQuery>;
export const RelatedVideos = Type.Object({
  items: Type.Array(Video, { description: 'Best match first: shared words and tags, same channel; padded with trending videos' }),
});
export type RelatedVideos = Static<typeof RelatedVideos>;

// ── Notifications ────────────────────────────────────────────────────────────────────────────────────────────────

export const NotificationKind = Type.Union([Type.Literal('video_published'), Type.Literal('video_ready'), Type.Literal('video_failed')], {
  description: 'video_published: a channel you subscribe to published a video; video_ready / video_failed: your upload finished processing',
});
export type NotificationKind = Static<typeof NotificationKind>;

export const Notification = Type.Object({
  id: Type.String(),
  kind: NotificationKind,
  createdAt: DateTime,
  read: Type.Boolean(),
  video: Nullable(
    Type.Object({
      id: Type.String(),
      title: Type.String(),
      thumbnailUrl: Nullable(Type.String()),
      durationSeconds: Nullable(Type.Number()),
    }),
  ),
  channel: Nullable(ChannelSummary),
  /** video_failed: why processing failed, in words the uploader can act on. */
  reason: Nullable(Type.String()),
});
export type Notification = Static<typeof Notification>;

export const NotificationQuery = Type.Object({
  cursor: Cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  unread: Type.Optional(Type.Boolean({ description: 'Only unread notifications' })),
});
export type NotificationQuery = Static<typeof NotificationQuery>;
export const NotificationPage = Type.Object({ items: Type.Array(Notification), nextCursor: Nullable(Type.String()) });
export type NotificationPage = Static<typeof NotificationPage>;

export const UnreadCount = Type.Object({ unread: Type.Integer({ description: 'Capped at 999' }) });
export type UnreadCount = Static<typeof UnreadCount>;

export const MarkReadBody = Type.Object(
  { ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 100, description: 'Omit to mark every notification read' })) },
  { additionalProperties: false },
);
export type MarkReadBody = Static<typeof MarkReadBody>;

// ── Moderation ───────────────────────────────────────────────────────────────────────────────────────────────────

export const ReportTargetType = Type.Union([Type.Literal('video'), Type.Literal('comment')]);
export type ReportTargetType = Static<typeof ReportTargetType>;
export const ReportReason = Type.Union([Type.Literal('spam'), Type.Literal('abuse'), Type.Literal('copyright'), Type.Literal('other')]);
export type ReportReason = Static<typeof ReportReason>;
export const ReportStatus = Type.Union([Type.Literal('open'), Type.Literal('resolved')]);
export type ReportStatus = Static<typeof ReportStatus>;

export const CreateReportBody = Type.Object(
  {
    targetType: ReportTargetType,
    targetId: Type.String({ format: 'uuid' }),
    reason: ReportReason,
    details: Type.Optional(MultiLineText({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type CreateReportBody = Static<typeof CreateReportBody>;

/** What was reported, as it is now, so moderators can judge without another request. */
export const ReportTarget = Type.Union([
  Type.Object({
    type: Type.Literal('video'),
    id: Type.String(),
    title: Type.String(),
    channel: ChannelSummary,
    visibility: Visibility,
    hiddenAt: Nullable(DateTime),
  }),
  Type.Object({
    type: Type.Literal('comment'),
    id: Type.String(),
    videoId: Type.String(),
    body: Type.String({ description: 'Plain text; render as text, never as HTML' }),
    author: Type.Object({ id: Type.String(), username: Type.String() }),
    hiddenAt: Nullable(DateTime),
  }),
]);
export type ReportTarget = Static<typeof ReportTarget>;

/** As a reporter sees their report. */
export const CreatedReport = Type.Object({
  id: Type.String(),
  targetType: ReportTargetType,
  targetId: Type.String(),
  reason: ReportReason,
  details: Type.String(),
  status: ReportStatus,
  createdAt: DateTime,
});
export type CreatedReport = Static<typeof CreatedReport>;

/** As moderators see it. */
export const Report = Type.Object({
  ...CreatedReport.properties,
  resolution: Nullable(Type.Union([Type.Literal('hidden'), Type.Literal('dismissed')])),
  resolvedAt: Nullable(DateTime),
  reporter: Type.Object({ id: Type.String(), username: Type.String() }),
  target: ReportTarget,
  /** Open reports on the same target, this one included. */
  openReportsOnTarget: Type.Integer(),
});
export type Report = Static<typeof Report>;

export const ReportListQuery = Type.Object({
  status: Type.Optional(Type.Union(ReportStatus.anyOf, { default: 'open' })),
  targetType: Type.Optional(ReportTargetType),
  cursor: Cursor,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
});
export type ReportListQuery = Static<typeof ReportListQuery>;
export const ReportPage = Type.Object({ items: Type.Array(Report), nextCursor: Nullable(Type.String()) });
export type ReportPage = Static<typeof ReportPage>;

export const ResolveReportBody = Type.Object(
  {
    action: Type.Union([Type.Literal('hide'), Type.Literal('dismiss')], {
      description: 'hide: hide the target from everyone but its owner and admins; dismiss: keep it. Either resolves every open report on the target.',
    }),
  },
  { additionalProperties: false },
);
export type ResolveReportBody = Static<typeof ResolveReportBody>;
export const ResolvedReports = Type.Object({
  report: Report,
  /** How many open reports on the target this resolved, this one included. */
  resolvedCount: Type.Integer(),
});
export type ResolvedReports = Static<typeof ResolvedReports>;

export const HideBody = Type.Object(
  { reason: Type.Optional(MultiLineText({ maxLength: 500, description: 'Shown to the owner' })) },
  { additionalProperties: false },
);
export type HideBody = Static<typeof HideBody>;

export const ModerationState = Type.Object({
  targetType: ReportTargetType,
  targetId: Type.String(),
  hidden: Type.Boolean(),
  hiddenAt: Nullable(DateTime),
  reason: Nullable(Type.String()),
});
export type ModerationState = Static<typeof ModerationState>;
