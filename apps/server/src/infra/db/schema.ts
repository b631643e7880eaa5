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

export interface Database extends AccountTables {}
