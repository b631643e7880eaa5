import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

type AddFormats = (ajv: Ajv) => Ajv;
// ajv-formats is CommonJS; depending on the loader its function arrives as the module or under `default`.
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, removeAdditional: false, strict: false, ...options });
  addFormats(ajv);
  return ajv;
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
