import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

/**
 * Every setting Tube reads, with its default. The README's configuration table mirrors this list.
 * Values come from the environment; `loadConfig` validates them once at start and names the bad setting.
 */
const Env = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  ROLE: Type.Union([Type.Literal('all'), Type.Literal('api'), Type.Literal('worker')], { default: 'all' }),
  HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535 }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  WEB_DIST_DIR: Type.Optional(Type.String()),
  TRUST_PROXY: Type.Boolean({ default: false }),

  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  DATABASE_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
  EMBEDDED_PG_PORT: Type.Integer({ default: 54329, minimum: 1, maximum: 65535 }),
  EMBEDDED_PG_HOME: Type.Optional(Type.String({ minLength: 1 })),

  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  REDIS_KEY_PREFIX: Type.String({ default: 'tube:' }),
  CACHE_MAX_ENTRIES: Type.Integer({ default: 50000, minimum: 100 }),
  REDIS_COMMAND_TIMEOUT_MS: Type.Integer({ default: 500, minimum: 10 }),
  CACHE_LOCAL_SECONDS: Type.Number({ default: 5, minimum: 0, maximum: 60 }),

  STORAGE_DRIVER: Type.Optional(Type.Union([Type.Literal('fs'), Type.Literal('s3')])),
  MEDIA_DIR: Type.Optional(Type.String()),
  S3_BUCKET: Type.Optional(Type.String({ minLength: 3 })),
  S3_REGION: Type.String({ default: 'us-east-1' }),
  S3_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  S3_ACCESS_KEY_ID: Type.Optional(Type.String()),
  S3_SECRET_ACCESS_KEY: Type.Optional(Type.String()),
  S3_FORCE_PATH_STYLE: Type.Boolean({ default: false }),
  S3_PRESIGNED_MEDIA: Type.Boolean({ default: false }),

  AUTH_ACCESS_TOKEN_TTL: Type.Integer({ default: 900, minimum: 30 }),
  AUTH_REFRESH_TOKEN_TTL: Type.Integer({ default: 2_592_000, minimum: 60 }),
  AUTH_OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://' })),
  AUTH_OIDC_AUDIENCE: Type.Optional(Type.String({ minLength: 1 })),
  LOGIN_RATE_LIMIT_IP: Type.Integer({ default: 30, minimum: 1 }),
  LOGIN_RATE_LIMIT_ACCOUNT: Type.Integer({ default: 10, minimum: 1 }),
  LOGIN_RATE_LIMIT_WINDOW: Type.Integer({ default: 900, minimum: 1 }),

  SMTP_URL: Type.Optional(Type.String({ pattern: '^smtps?://' })),
  SMTP_HOST: Type.Optional(Type.String({ minLength: 1 })),
  SMTP_PORT: Type.Integer({ default: 587, minimum: 1, maximum: 65535 }),
  SMTP_USER: Type.Optional(Type.String()),
  SMTP_PASSWORD: Type.Optional(Type.String()),
  SMTP_SECURE: Type.Boolean({ default: false }),
  MAIL_FROM: Type.String({ default: 'Tube <no-reply@localhost>', minLength: 3 }),
  EMAIL_VERIFICATION: Type.Union([Type.Literal('required'), Type.Literal('optional'), Type.Literal('off')], { default: 'optional' }),
  EMAIL_TOKEN_TTL: Type.Integer({ default: 86_400, minimum: 60 }),
  PASSWORD_RESET_TTL: Type.Integer({ default: 1800, minimum: 60 }),
  ACCOUNT_MAIL_RATE_LIMIT: Type.Integer({ default: 5, minimum: 1 }),
  ACCOUNT_MAIL_RATE_LIMIT_WINDOW: Type.Integer({ default: 3600, minimum: 1 }),
  TWO_FACTOR_REQUIRED_FOR_ADMINS: Type.Boolean({ default: false }),
  TWO_FACTOR_RATE_LIMIT: Type.Integer({ default: 5, minimum: 1 }),
  USERNAME_CHANGES: Type.Boolean({ default: true }),
  ACCOUNT_DELETION_GRACE_DAYS: Type.Integer({ default: 0, minimum: 0, maximum: 365 }),
  AUTH_OIDC_CLIENT_ID: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_OIDC_CLIENT_SECRET: Type.Optional(Type.String({ minLength: 1 })),
  AUTH_OIDC_SCOPES: Type.String({ default: 'openid email profile' }),
  AUTH_OIDC_PROVIDER_NAME: Type.String({ default: 'your organisation', minLength: 1 }),

  UPLOAD_MAX_BYTES: Type.Integer({ default: 10 * 1024 ** 3, minimum: 1 }),
  USER_UPLOAD_QUOTA_BYTES: Type.Integer({ default: 0, minimum: 0 }),
  UPLOAD_EXPIRY_SECONDS: Type.Integer({ default: 86_400, minimum: 60 }),
  UPLOAD_LOCK_LEASE_SECONDS: Type.Integer({ default: 30, minimum: 1 }),
  UPLOAD_SWEEP_INTERVAL: Type.Integer({ default: 60, minimum: 1 }),
  CORS_ORIGINS: Type.String({ default: '', pattern: '^(\\*|https?://[^,/\\s]+(\\s*,\\s*https?://[^,/\\s]+)*)?$' }),
  WORKER_CONCURRENCY: Type.Integer({ default: 1, minimum: 1, maximum: 64 }),
  WORKER_BACKGROUND_SLOTS: Type.Integer({ default: 1, minimum: 0, maximum: 64 }),
  JOB_RETRY_LIMIT: Type.Integer({ default: 3, minimum: 0, maximum: 20 }),
  JOB_RETRY_DELAY: Type.Integer({ default: 10, minimum: 1 }),
  JOB_LEASE_SECONDS: Type.Integer({ default: 60, minimum: 10 }),
  FFMPEG_PATH: Type.Optional(Type.String()),
  FFPROBE_PATH: Type.Optional(Type.String()),
  X264_PRESET: Type.Union(
    ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'].map((p) => Type.Literal(p)),
    { default: 'veryfast' },
  ),
  SEGMENT_SECONDS: Type.Number({ default: 4, minimum: 1, maximum: 20 }),
  TRANSCODE_MAX_HEIGHT: Type.Integer({ default: 2160, minimum: 144 }),
  SOURCE_MAX_WIDTH: Type.Integer({ default: 4096, minimum: 16 }),
  SOURCE_MAX_HEIGHT: Type.Integer({ default: 4096, minimum: 16 }),
  SOURCE_MAX_DURATION: Type.Integer({ default: 6 * 3600, minimum: 1 }),
  STORYBOARD_INTERVAL: Type.Number({ default: 2, minimum: 0.5 }),
  TRANSCODE_MODE: Type.Union([Type.Literal('single'), Type.Literal('chunked')], { default: 'chunked' }),
  CHUNK_SECONDS: Type.Number({ default: 12, minimum: 1, maximum: 600 }),
  CHUNK_SPLIT_SECONDS: Type.Number({ default: 36, minimum: 0, maximum: 3600 }),
  EARLY_START: Type.Boolean({ default: true }),
  KEEP_SOURCE: Type.Boolean({ default: true }),

  MEDIA_SIGNING_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  MEDIA_URL_TTL: Type.Integer({ default: 6 * 3600, minimum: 60 }),
  MEDIA_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  VIEW_DEDUP_WINDOW: Type.Integer({ default: 1800, minimum: 1 }),
  VIEW_FLUSH_INTERVAL: Type.Integer({ default: 10, minimum: 1 }),
  MAX_CHANNELS_PER_USER: Type.Integer({ default: 5, minimum: 1 }),
  IMAGE_MAX_PIXELS: Type.Integer({ default: 40_000_000, minimum: 10_000 }),
  IMAGE_TIMEOUT_SECONDS: Type.Integer({ default: 10, minimum: 1, maximum: 300 }),
  METRICS_TOKEN: Type.Optional(Type.String({ minLength: 16 })),
  RATE_LIMIT_WINDOW: Type.Integer({ default: 3600, minimum: 1 }),
  RATE_LIMIT_REGISTRATIONS_PER_IP: Type.Integer({ default: 10, minimum: 1 }),
  RATE_LIMIT_UPLOADS_PER_ACCOUNT: Type.Integer({ default: 100, minimum: 1 }),
  RATE_LIMIT_COMMENTS_PER_ACCOUNT: Type.Integer({ default: 120, minimum: 1 }),
  RATE_LIMIT_REPORTS_PER_ACCOUNT: Type.Integer({ default: 50, minimum: 1 }),
  RATE_LIMIT_WRITES_PER_ACCOUNT: Type.Integer({ default: 1000, minimum: 1 }),
  RATE_LIMIT_WRITES_PER_IP: Type.Integer({ default: 5000, minimum: 1 }),
  VIEW_MAX_PER_IP: Type.Integer({ default: 300, minimum: 1 }),
  ADMIN_USERNAMES: Type.String({ default: '' }),
  CAPTION_MAX_BYTES: Type.Integer({ default: 512 * 1024, minimum: 1024, maximum: 50 * 1024 * 1024 }),
  EMBED_FRAME_ANCESTORS: Type.String({ default: '*', minLength: 1, pattern: '^[^;,\\r\\n]+$' }),
  FLEET_CHECKS: Type.Boolean({ default: true }),
  ANALYTICS_RETENTION_DAYS: Type.Integer({ default: 400, minimum: 2 }),
  BEACON_RATE_LIMIT: Type.Integer({ default: 60, minimum: 1 }),
});
export type Env = Static<typeof Env>;

/** Every setting's name, in declaration order (the README's configuration table lists them all). */
export const SETTING_NAMES = Object.keys(Env.properties) as (keyof Env)[];

export type Config = Env & {
  publicUrl: string;
  dataDir: string;
  mediaDir: string;
  storageDriver: 'fs' | 's3';
  webDistDir: string;
  /** Lower-cased usernames that are administrators (from ADMIN_USERNAMES, comma-separated). */
  adminUsernames: string[];
};

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`Invalid configuration: ${setting} ${detail}`);
  }
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, on: true, false: false, '0': false, no: false, off: false };

/** Parses env strings into the typed config; throws ConfigError naming the first bad setting. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(Env.properties)) {
    const value = source[key];
    if (value === undefined || value === '') continue;
    const kind = (schema as { type?: string }).type;
    if (kind === 'integer' || kind === 'number') {
      const n = Number(value);
      if (!Number.isFinite(n)) throw new ConfigError(key, `must be a number (got "${value}")`);
      raw[key] = n;
    } else if (kind === 'boolean') {
      const b = BOOLEAN_WORDS[value.toLowerCase()];
      if (b === undefined) throw new ConfigError(key, `must be true or false (got "${value}")`);
      raw[key] = b;
    } else {
      raw[key] = value;
    }
  }
  const withDefaults = Value.Default(Env, raw);
  const firstError = Value.Errors(Env, withDefaults)[0];
  if (firstError) {
    const setting =
      firstError.instancePath.replace(/^\//, '') || String((firstError.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? 'config');
    const given = source[setting];
    const choices = (Env.properties as Record<string, { anyOf?: { const?: unknown }[] }>)[setting]?.anyOf?.map((s) => s.const);
    const detail = choices ? `must be one of ${choices.join(', ')}` : firstError.message;
    throw new ConfigError(setting, `${detail}${given !== undefined ? ` (got "${given}")` : ''}`);
  }
  const env = withDefaults as Env;
  if (env.STORAGE_DRIVER === 's3' && !env.S3_BUCKET) throw new ConfigError('S3_BUCKET', 'is required when STORAGE_DRIVER=s3');
  if (env.AUTH_OIDC_AUDIENCE && !env.AUTH_OIDC_ISSUER) throw new ConfigError('AUTH_OIDC_ISSUER', 'is required when AUTH_OIDC_AUDIENCE is set');
  if (env.AUTH_OIDC_CLIENT_ID && !env.AUTH_OIDC_ISSUER) throw new ConfigError('AUTH_OIDC_ISSUER', 'is required when AUTH_OIDC_CLIENT_ID is set');
  if (env.SMTP_URL && env.SMTP_HOST) throw new ConfigError('SMTP_HOST', 'cannot be combined with SMTP_URL; use one of them');
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    ...env,
    publicUrl: (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, ''),
    dataDir,
    mediaDir: path.resolve(env.MEDIA_DIR ?? path.join(dataDir, 'media')),
    storageDriver: env.STORAGE_DRIVER ?? (env.S3_BUCKET ? 's3' : 'fs'),
    adminUsernames: env.ADMIN_USERNAMES.split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
    webDistDir: path.resolve(env.WEB_DIST_DIR ?? new URL('../../web/dist', import.meta.url).pathname),
  };
}
