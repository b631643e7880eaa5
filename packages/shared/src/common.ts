import { Type, type Static } from 'typebox';

/**
 * Every `error.code` the API sends, so clients compare against a checked union rather than loose strings. Other
 * 4xx refusals from Fastify itself (e.g. a body over the size limit) pass through as `fst_err_…` codes.
 */
export type ErrorCode =
  | 'account_deleted'
  | 'already_published'
  | 'already_reported'
  | 'already_resolved'
  | 'bad_request'
  | 'caption_too_large'
  | 'challenge_expired'
  | 'channel_limit'
  | 'conflict'
  | 'database_unavailable'
  | 'email_taken'
  | 'email_unverified'
  | 'empty_comment'
  | 'empty_query'
  | 'forbidden'
  | 'format_not_supported'
  | 'frame_failed'
  | 'handle_taken'
  | 'internal_error'
  | 'invalid_captions'
  | 'invalid_code'
  | 'invalid_credentials'
  | 'invalid_cursor'
  | 'invalid_image'
  | 'invalid_json'
  | 'invalid_language'
  | 'invalid_order'
  | 'invalid_publish_at'
  | 'invalid_publish_state'
  | 'invalid_publish_visibility'
  | 'invalid_refresh_token'
  | 'invalid_signature'
  | 'invalid_time'
  | 'invalid_token'
  | 'invalid_two_factor_code'
  | 'invalid_upload_metadata'
  | 'invalid_upload_url'
  | 'invalid_url'
  | 'link_expired'
  | 'missing_video_id'
  | 'no_channel'
  | 'no_chapters'
  | 'no_source'
  | 'not_awaiting_upload'
  | 'not_failed'
  | 'not_found'
  | 'not_held'
  | 'not_ready'
  | 'not_scheduled'
  | 'offset_mismatch'
  | 'own_channel'
  | 'playlist_required'
  | 'publish_at_in_past'
  | 'quota_exceeded'
  | 'range_not_satisfiable'
  | 'rate_limited'
  | 'refresh_token_expired'
  | 'refresh_token_reused'
  | 'session_revoked'
  | 'signature_required'
  | 'token_expired'
  | 'two_factor_code_required'
  | 'two_factor_disabled'
  | 'two_factor_enabled'
  | 'two_factor_required'
  | 'unauthorized'
  | 'unsupported_media_type'
  | 'upload_expired'
  | 'upload_finished'
  | 'upload_locked'
  | 'upload_refused'
  | 'upload_too_large'
  | 'username_changes_disabled'
  | 'username_taken'
  | 'validation_failed'
  | 'visibility_required'
  | 'watch_later'
  | 'wrong_password'
  | 'sign_in_again'
  | 'downloads_disabled'
  | 'video_hidden'
  | 'download_failed';
export type FrameworkErrorCode = `fst_err_${string}`;

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.Unsafe<ErrorCode | FrameworkErrorCode>(Type.String()), message: Type.String() }) },
  { $id: 'ErrorBody', description: 'Every error response has this shape.' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** A schema or null (`T | null` in TypeScript). */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Uuid = Type.String({ format: 'uuid' });

/**
 * Free text may hold any character except the C0 controls (NUL, ESC, …) and DEL: PostgreSQL refuses NUL in
 * text, and the rest only ever serve to spoof or break what others see. Multi-line text keeps tab, LF and CR.
 */
export const SINGLE_LINE_TEXT_PATTERN = '^[^\\u0000-\\u001F\\u007F]*$';
export const MULTI_LINE_TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F]*$';
type StringOptions = NonNullable<Parameters<typeof Type.String>[0]>;
/** A title, a name, a search query, a login: one line of text. */
export const LineText = (options: StringOptions = {}) => Type.String({ ...options, pattern: SINGLE_LINE_TEXT_PATTERN });
/** A description, a comment, report details: text that may span lines. */
export const MultiLineText = (options: StringOptions = {}) => Type.String({ ...options, pattern: MULTI_LINE_TEXT_PATTERN });

/** Cursors are opaque base64url; anything else is refused before it is decoded. */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]*$';
export const CursorText = (options: StringOptions = {}) =>
  Type.String({ maxLength: 300, description: 'nextCursor of the previous page', ...options, pattern: CURSOR_PATTERN });

export const IdParams = Type.Object({ id: Uuid });
export type IdParams = Static<typeof IdParams>;

export const CursorQuery = Type.Object({
  cursor: Type.Optional(CursorText({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 24 })),
});
export type CursorQuery = Static<typeof CursorQuery>;

export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
