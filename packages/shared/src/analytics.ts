import { Type, type Static } from 'typebox';
import { Nullable } from './common.ts';

/** How the viewer reached the video, as the player page knows it. */
export const TRAFFIC_SOURCES = ['direct', 'search', 'browse', 'embed', 'external'] as const;
export const TrafficSource = Type.Union([
  Type.Literal('direct'),
  Type.Literal('search'),
  Type.Literal('browse'),
  Type.Literal('embed'),
  Type.Literal('external'),
]);
export type TrafficSource = Static<typeof TrafficSource>;

const RenditionName = Type.String({ pattern: '^[A-Za-z0-9_.-]{1,16}$', description: 'e.g. 720p' });
/** Positions in the video, seconds. */
const WatchedRange = Type.Tuple([Type.Number({ minimum: 0, maximum: 86_400 }), Type.Number({ minimum: 0, maximum: 86_400 })]);

/** One thing the player saw. Amounts are bounded so a single forged beacon cannot skew a chart much. */
export const Beacon = Type.Union([
  Type.Object({ type: Type.Literal('start'), source: TrafficSource }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('heartbeat'),
      /** Seconds of playback since the previous heartbeat. */
      watchedSeconds: Type.Number({ minimum: 0, maximum: 60 }),
      /** Parts of the video watched for the first time in this session (for the retention curve). */
      ranges: Type.Array(WatchedRange, { maxItems: 20 }),
      rendition: Type.Optional(RenditionName),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('ttff'), ms: Type.Number({ minimum: 0, maximum: 120_000 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('rebuffer'), seconds: Type.Number({ minimum: 0, maximum: 600 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('rendition'), to: RenditionName }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('error'), code: Type.String({ pattern: '^[a-z0-9_]{1,40}$' }) }, { additionalProperties: false }),
]);
export type Beacon = Static<typeof Beacon>;

export const BeaconBatch = Type.Object(
  {
    videoId: Type.String({ format: 'uuid' }),
    /** Random per page view, chosen by the player; never stored. */
    sessionId: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }),
    events: Type.Array(Beacon, { minItems: 1, maxItems: 50 }),
  },
  { additionalProperties: false },
);
export type BeaconBatch = Static<typeof BeaconBatch>;

export const BeaconResult = Type.Object({ accepted: Type.Integer() });
export type BeaconResult = Static<typeof BeaconResult>;

export const AnalyticsQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 28 })) });
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;

export const AnalyticsTotals = Type.Object({
  views: Type.Integer(),
  watchSeconds: Type.Number(),
  averageViewSeconds: Type.Number(),
  /** Median time to first frame over the period, ms; null without samples. */
  medianTtffMs: Nullable(Type.Number()),
  /** Stalled time ÷ (watched + stalled time). */
  rebufferRatio: Type.Number(),
  /** Playback errors per view. */
  errorRate: Type.Number(),
});
export type AnalyticsTotals = Static<typeof AnalyticsTotals>;

export const DailyPoint = Type.Object({ day: Type.String({ description: 'YYYY-MM-DD (UTC)' }), views: Type.Integer(), watchSeconds: Type.Number() });
export const HourlyPoint = Type.Object({ hour: Type.String({ format: 'date-time' }), views: Type.Integer(), watchSeconds: Type.Number() });
export const SharePoint = Type.Object({ name: Type.String(), value: Type.Number(), share: Type.Number() });
export type SharePoint = Static<typeof SharePoint>;

export const VideoAnalytics = Type.Object({
  videoId: Type.String(),
  title: Type.String(),
  durationSeconds: Type.Number(),
  days: Type.Integer(),
  totals: AnalyticsTotals,
  daily: Type.Array(DailyPoint),
  /** The last 48 hours. */
  hourly: Type.Array(HourlyPoint),
  /** Share of viewers still watching at each moment (`second` is the start of a bucket). */
  retention: Type.Array(Type.Object({ second: Type.Number(), share: Type.Number() })),
  sources: Type.Array(SharePoint),
  devices: Type.Array(SharePoint),
  /** Share of watch time per rendition. */
  renditions: Type.Array(SharePoint),
});
export type VideoAnalytics = Static<typeof VideoAnalytics>;

export const ChannelAnalytics = Type.Object({
  channelId: Type.String(),
  days: Type.Integer(),
  totals: AnalyticsTotals,
  daily: Type.Array(DailyPoint),
  topVideos: Type.Array(Type.Object({ id: Type.String(), title: Type.String(), views: Type.Integer(), watchSeconds: Type.Number() })),
  sources: Type.Array(SharePoint),
  devices: Type.Array(SharePoint),
});
export type ChannelAnalytics = Static<typeof ChannelAnalytics>;
