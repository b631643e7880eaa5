import type { ColumnType, Generated } from 'kysely';

/** Table types for Kysely. Each domain's tables are grouped; keep in step with ./migrations. */
type CreatedAt = ColumnType<Date, Date | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface UsersTable {
  id: Generated<string>;
  username: string;
  email: string | null;
  password_hash: string | null;
  role: ColumnType<'user' | 'admin', 'user' | 'admin' | undefined, 'user' | 'admin'>;
  created_at: CreatedAt;
}

export interface ExternalIdentitiesTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: CreatedAt;
}

export interface ChannelsTable {
  id: Generated<string>;
  user_id: string;
  handle: string;
  name: string;
  description: ColumnType<string, string | undefined, string>;
  is_default: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  private_jwk: ColumnType<Record<string, unknown>, string, string>;
  public_jwk: ColumnType<Record<string, unknown>, string, string>;
  created_at: CreatedAt;
  retired_at: Timestamp | null;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  user_agent: string | null;
  ip: string | null;
  created_at: CreatedAt;
  last_used_at: ColumnType<Date, Date | undefined, Date | string>;
  expires_at: Timestamp;
  revoked_at: Timestamp | null;
  revoked_reason: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  session_id: string;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

export interface AccountTables {
  users: UsersTable;
  external_identities: ExternalIdentitiesTable;
  channels: ChannelsTable;
  signing_keys: SigningKeysTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
}

export type VideoStatusColumn = 'awaiting_upload' | 'queued' | 'processing' | 'playable' | 'ready' | 'failed';
export type VisibilityColumn = 'public' | 'unlisted' | 'private';

/** One rung as stored after transcoding (mirrors the API's Rendition). */
export interface StoredRendition {
  name: string;
  width: number;
  height: number;
  bandwidth: number;
  codecs: string;
  frameRate: number;
}

export interface VideosTable {
  id: Generated<string>;
  user_id: string;
  channel_id: string;
  title: string;
  description: ColumnType<string, string | undefined, string>;
  visibility: ColumnType<VisibilityColumn, VisibilityColumn | undefined, VisibilityColumn>;
  tags: ColumnType<string[], string[] | undefined, string[]>;
  status: ColumnType<VideoStatusColumn, VideoStatusColumn | undefined, VideoStatusColumn>;
  error: string | null;
  progress: number | null;
  eta_seconds: number | null;
  source_key: string | null;
  source_bytes: number | null;
  source_filename: string | null;
  media_prefix: string | null;
  /** Bound into signed media links; bumped when visibility narrows (0006_media_links). */
  media_link_generation: ColumnType<number, number | undefined, number>;
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  renditions: ColumnType<StoredRendition[], string | undefined, string>;
  has_storyboard: ColumnType<boolean, boolean | undefined, boolean>;
  /** Chunked pipeline (0011): share of each rung encoded, while processing. */
  rung_progress: ColumnType<{ name: string; progress: number; etaSeconds?: number | null }[], string | undefined, string>;
  view_count: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  worker_token: string | null;
  heartbeat_at: Timestamp | null;
  queued_at: Timestamp | null;
  processing_started_at: Timestamp | null;
  published_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface VideoTables {
  videos: VideosTable;
  transcode_plans: TranscodePlansTable;
  transcode_tasks: TranscodeTasksTable;
}

/** Chunked transcoding (0011): one plan per video attempt; `plan` is a `ChunkedPlan` (transcoding/chunked). */
export interface TranscodePlansTable {
  video_id: string;
  media_prefix: string;
  plan: ColumnType<unknown, string, string>;
  started_at: CreatedAt;
  playable_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export type TranscodeTaskKind = 'video' | 'audio' | 'thumbnails';
export type TranscodeTaskStatus = 'pending' | 'running' | 'done';

export interface TranscodeTasksTable {
  video_id: string;
  /** "video:0:low", "audio", "thumbnails". */
  task: string;
  kind: TranscodeTaskKind;
  chunk_index: ColumnType<number, number | undefined, number>;
  status: ColumnType<TranscodeTaskStatus, TranscodeTaskStatus | undefined, TranscodeTaskStatus>;
  priority: ColumnType<number, number | undefined, number>;
  attempts: ColumnType<number, number | undefined, number>;
  worker_token: string | null;
  worker_name: string | null;
  heartbeat_at: Timestamp | null;
  wall_seconds: number | null;
  /** The task had a foreground CPU place from start to end (0016); null for tasks without a CPU arbiter (audio). */
  in_front: ColumnType<boolean | null, boolean | null | undefined, boolean | null>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  error: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** Columns added to earlier tables by 0003_community. */
export interface CommunityColumns {
  users: { history_paused: ColumnType<boolean, boolean | undefined, boolean> };
  channels: {
    avatar_key: string | null;
    banner_key: string | null;
    subscriber_count: ColumnType<number, number | undefined, number>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  videos: {
    like_count: ColumnType<number, number | undefined, number>;
    dislike_count: ColumnType<number, number | undefined, number>;
    comment_count: ColumnType<number, number | undefined, number>;
    comments_enabled: ColumnType<boolean, boolean | undefined, boolean>;
    hidden_at: Timestamp | null;
    hidden_reason: string | null;
  };
}

export interface CommunityTables {
  subscriptions: { user_id: string; channel_id: string; created_at: CreatedAt };
  video_votes: { user_id: string; video_id: string; value: number; created_at: CreatedAt };
  comments: {
    id: Generated<string>;
    video_id: string;
    user_id: string;
    parent_id: string | null;
    body: string;
    like_count: ColumnType<number, number | undefined, number>;
    reply_count: ColumnType<number, number | undefined, number>;
    created_at: CreatedAt;
    edited_at: Timestamp | null;
    hidden_at: Timestamp | null;
  };
  comment_likes: { user_id: string; comment_id: string; created_at: CreatedAt };
  playlists: {
    id: Generated<string>;
    user_id: string;
    title: string;
    description: ColumnType<string, string | undefined, string>;
    visibility: ColumnType<VisibilityColumn, VisibilityColumn | undefined, VisibilityColumn>;
    kind: ColumnType<'regular' | 'watch_later', 'regular' | 'watch_later' | undefined, never>;
    video_count: ColumnType<number, number | undefined, number>;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  playlist_items: { playlist_id: string; video_id: string; position: number; added_at: CreatedAt };
  watch_history: { user_id: string; video_id: string; position_seconds: number; watched_at: ColumnType<Date, Date | string | undefined, Date | string> };
}

export type NotificationKindColumn = 'video_published' | 'video_ready' | 'video_failed';
export type ReportReasonColumn = 'spam' | 'abuse' | 'copyright' | 'other';

/** Tables of 0004_discovery: search documents, trending, notifications, moderation reports. */
export interface DiscoveryTables {
  /** Kept in step with videos.title/tags/description by a trigger; never written by the application. */
  video_search_documents: { video_id: string; document: string };
  trending_scores: { video_id: string; score: number; computed_at: ColumnType<Date, Date | string | undefined, Date | string> };
  notifications: {
    id: Generated<string>;
    user_id: string;
    kind: NotificationKindColumn;
    video_id: string | null;
    channel_id: string | null;
    actor_user_id: string | null;
    /** video_failed: why processing failed. */
    detail: string | null;
    created_at: CreatedAt;
    read_at: Timestamp | null;
  };
  reports: {
    id: Generated<string>;
    reporter_id: string;
    target_type: 'video' | 'comment';
    video_id: string | null;
    comment_id: string | null;
    reason: ReportReasonColumn;
    details: ColumnType<string, string | undefined, string>;
    status: ColumnType<'open' | 'resolved', 'open' | 'resolved' | undefined, 'open' | 'resolved'>;
    resolution: 'hidden' | 'dismissed' | null;
    resolved_by: string | null;
    resolved_at: Timestamp | null;
    created_at: CreatedAt;
  };
}

/** Caption tracks (migration 0009). */
export interface CaptionTables {
  video_captions: {
    video_id: string;
    language: string;
    label: string;
    vtt: string;
    cue_count: number;
    created_at: CreatedAt;
    updated_at: ColumnType<Date, Date | undefined, Date>;
  };
}

/** Columns added by 0012_creators: scheduling and drafts, custom thumbnails, search metadata, held comments. */
export interface CreatorColumns {
  videos: {
    draft: ColumnType<boolean, boolean | undefined, boolean>;
    publish_at: Timestamp | null;
    publish_visibility: 'public' | 'unlisted' | null;
    thumbnail_file: string | null;
    category: string | null;
    language: string | null;
    licence: string | null;
    comments_held: ColumnType<boolean, boolean | undefined, boolean>;
    /** 0013_downloads: everyone may download the MP4 (the owner and admins always may). */
    allow_downloads: ColumnType<boolean, boolean | undefined, boolean>;
  };
  comments: { held: ColumnType<boolean, boolean | undefined, boolean> };
}

type DayColumn = ColumnType<string, string, string>;

/** Tables of 0012_creators: playback analytics, aggregated per video per day (and per hour for the last 48 h). */
export interface AnalyticsTables {
  analytics_salts: { day: DayColumn; salt: Buffer };
  analytics_viewers: { video_id: string; day: DayColumn; viewer_hash: Buffer };
  video_stats_daily: {
    video_id: string;
    day: DayColumn;
    views: ColumnType<number, number | undefined, number>;
    watch_seconds: ColumnType<number, number | undefined, number>;
    rebuffer_seconds: ColumnType<number, number | undefined, number>;
    rebuffer_count: ColumnType<number, number | undefined, number>;
    errors: ColumnType<number, number | undefined, number>;
  };
  video_stats_hourly: {
    video_id: string;
    hour: Timestamp;
    views: ColumnType<number, number | undefined, number>;
    watch_seconds: ColumnType<number, number | undefined, number>;
  };
  video_stats_breakdown: {
    video_id: string;
    day: DayColumn;
    dimension: 'source' | 'device' | 'rendition' | 'ttff';
    value: string;
    count: ColumnType<number, number | undefined, number>;
    seconds: ColumnType<number, number | undefined, number>;
  };
  video_retention_daily: { video_id: string; day: DayColumn; bucket: number; viewers: ColumnType<number, number | undefined, number> };
}

/** Tables and columns of 0010_account_security: email tokens, two-factor, notification preferences, deletion. */
export interface AccountSecurityColumns {
  users: {
    email_verified_at: Timestamp | null;
    totp_secret: string | null;
    totp_pending_secret: string | null;
    totp_enabled_at: Timestamp | null;
    totp_last_step: ColumnType<string | null, number | null | undefined, number | null>;
    email_on_new_videos: ColumnType<boolean, boolean | undefined, boolean>;
    email_on_comments: ColumnType<boolean, boolean | undefined, boolean>;
    deletion_scheduled_at: Timestamp | null;
  };
  notifications: { emailed_at: Timestamp | null };
}

export interface AccountSecurityTables {
  account_tokens: {
    token_hash: string;
    user_id: string;
    purpose: 'verify_email' | 'reset_password';
    email: string;
    created_at: CreatedAt;
    expires_at: Timestamp;
    used_at: Timestamp | null;
  };
  recovery_codes: { user_id: string; code_hash: string; used_at: Timestamp | null };
}

/** One uploaded S3 part of an upload in progress. */
export interface StoredUploadPart {
  number: number;
  etag: string;
  size: number;
}

/** Tables of 0005_uploads: tus uploads in progress, shared by every API node. */
export interface UploadTables {
  uploads: {
    video_id: string;
    user_id: string;
    size: number | null;
    received_bytes: ColumnType<number, number | undefined, number>;
    reserved_bytes: ColumnType<number, number | undefined, number>;
    metadata: ColumnType<Record<string, string | null>, string | undefined, string>;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    s3_upload_id: string | null;
    parts: ColumnType<StoredUploadPart[], string | undefined, string>;
    tail: Buffer | null;
    assembled_at: Timestamp | null;
    lock_token: string | null;
    lock_expires_at: Timestamp | null;
  };
}

type WithColumns<T, Extra> = { [K in keyof T]: K extends keyof Extra ? T[K] & Extra[K] : T[K] };

export interface Database
  extends WithColumns<
      WithColumns<WithColumns<WithColumns<AccountTables & VideoTables, CommunityColumns> & DiscoveryTables, AccountSecurityColumns>, CreatorColumns>,
      EarlyStartColumns
    >,
    WithColumns<CommunityTables, CreatorColumns>,
    AccountSecurityTables,
    UploadTables,
    AnalyticsTables {}

/** Tables of 0008_fleet: shared secrets and the registry of running processes. */
interface FleetTables {
  fleet_secrets: { name: string; value: string; created_at: CreatedAt };
  fleet_nodes: {
    id: string;
    role: string;
    hostname: string;
    pid: number;
    settings: ColumnType<Record<string, string | null>, string, string>;
    started_at: CreatedAt;
    heartbeat_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
}

// Declaration merging keeps this line independent of the one above (fewer merge conflicts between domains).
export interface Database extends FleetTables {}

/** Tables of 0009_captions. */
export interface Database extends CaptionTables {}

/** Tables of 0013_downloads (its videos.allow_downloads column is in DownloadColumns). */
export interface DownloadTables {
  video_downloads: {
    video_id: string;
    media_prefix: string;
    status: 'pending' | 'ready' | 'failed';
    progress: ColumnType<number, number | undefined, number>;
    file_key: string | null;
    bytes: ColumnType<number | null, number | null | undefined, number | null>;
    error: string | null;
    requested_at: ColumnType<Date, Date | string | undefined, Date | string>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
}
export interface Database extends DownloadTables {}

/** Columns of 0015_early_start: whether processing started during the upload or waits for its end, and why. */
export interface EarlyStartColumns {
  videos: {
    processing_start: ColumnType<
      'during_upload' | 'at_completion' | null,
      'during_upload' | 'at_completion' | null | undefined,
      'during_upload' | 'at_completion' | null
    >;
    processing_start_note: ColumnType<string | null, string | null | undefined, string | null>;
  };
}

/** Tables of 0015_early_start: a plan made from a partial upload, with the bytes each chunk needs. */
export interface Database {
  early_starts: {
    video_id: string;
    total_bytes: ColumnType<number, number, number>;
    chunk_bytes: ColumnType<number[], string, string>;
    enqueued_chunks: ColumnType<number, number | undefined, number>;
    created_at: CreatedAt;
  };
}
