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

export type VideoStatusColumn = 'awaiting_upload' | 'queued' | 'processing' | 'ready' | 'failed';
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
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  renditions: ColumnType<StoredRendition[], string | undefined, string>;
  has_storyboard: ColumnType<boolean, boolean | undefined, boolean>;
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

type WithColumns<T, Extra> = { [K in keyof T]: K extends keyof Extra ? T[K] & Extra[K] : T[K] };

export interface Database extends WithColumns<AccountTables & VideoTables, CommunityColumns>, CommunityTables, DiscoveryTables {}
