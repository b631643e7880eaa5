import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { CURSOR_PATTERN, MULTI_LINE_TEXT_PATTERN, SINGLE_LINE_TEXT_PATTERN } from '@tube/shared';

type AddFormats = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS; depending on the loader its function arrives as the module or under `default`.
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, removeAdditional: false, strict: false, ...options });
  addFormats(ajv);
  // ajv-formats also accepts a `urn:uuid:` prefix, which PostgreSQL's uuid type refuses (a 500, not a 400).
  ajv.addFormat('uuid', UUID);
  return ajv;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Sentences for the shared patterns, whose regular expressions mean nothing to the person who sent the request. */
const PATTERN_MESSAGES: Record<string, string> = {
  [SINGLE_LINE_TEXT_PATTERN]: 'must be one line of text without control characters (such as NUL)',
  [MULTI_LINE_TEXT_PATTERN]: 'must be text without control characters (such as NUL); tabs and line breaks are fine',
  [CURSOR_PATTERN]: 'is not a cursor this server issued; start again without it',
};

/** The message of one validation error, in words. */
export function validationMessage(error: { keyword: string; params: unknown; message?: string }): string {
  const pattern = error.keyword === 'pattern' ? (error.params as { pattern?: string }).pattern : undefined;
  return (pattern !== undefined ? PATTERN_MESSAGES[pattern] : undefined) ?? error.message ?? 'is invalid';
}

/**
 * Query strings, path params and headers are text, so their numbers and booleans are coerced; JSON bodies are
 * validated as sent, so `"username": 12345` is an error rather than silently becoming "12345".
 */
export function createValidatorCompiler(): FastifySchemaCompiler<FastifySchema> {
  const coercing = createAjv({ coerceTypes: 'array' });
  const strict = createAjv({ coerceTypes: false });
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
