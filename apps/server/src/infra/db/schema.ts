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

export interface Database extends AccountTables, VideoTables {}
