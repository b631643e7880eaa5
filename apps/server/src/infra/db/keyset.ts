import { sql, type RawBuilder } from 'kysely';
import { badRequest } from '../http/errors.ts';

/**
 * The one keyset pagination of every list. A cursor is `base64url(JSON [order, ...keys, id])`.
 *
 * An opaque position in a listing ordered by (key DESC, id DESC). The key is either a number (scores, counts,
 * epoch microseconds) or PostgreSQL's own text of a timestamp, so it compares exactly (JavaScript dates lose
 * microseconds). `order` names the listing and its sort, so a cursor is only accepted where it was issued.
 */
export interface Keyset<K extends number | string> {
  key: K;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// PostgreSQL's text of a timestamptz, e.g. `2026-12-01 08:57:58.123456+00`; string keys are cast back to one.
const TIMESTAMP_TEXT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)?$/;

/** A real calendar date and time of day, so the cast in SQL cannot fail (2026-02-30 matches the pattern only). */
function isTimestampText(text: string): boolean {
  const match = TIMESTAMP_TEXT.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60;
}

export function encodeKeyset(order: string, position: Keyset<number | string>): string {
  return Buffer.from(JSON.stringify([order, position.key, position.id])).toString('base64url');
}

export function decodeKeyset(order: string, value: string | undefined, keyType: 'number'): Keyset<number> | null;
export function decodeKeyset(order: string, value: string | undefined, keyType: 'string'): Keyset<string> | null;
export function decodeKeyset(order: string, value: string | undefined, keyType: 'number' | 'string'): Keyset<number | string> | null {
  if (!value) return null;
  return decodeKeysetOf([order], value, keyType).position;
}

/** For listings that may be issued in one of several orders: which one this cursor was issued for, and where. */
type KeyOf<T extends 'number' | 'string'> = T extends 'number' ? number : string;

export function decodeKeysetOf<O extends string, T extends 'number' | 'string'>(
  orders: readonly O[],
  value: string,
  keyType: T,
): { order: O; position: Keyset<KeyOf<T>> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString());
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [issuedFor, key, id] = parsed as unknown[];
    const order = orders.find((candidate) => candidate === issuedFor);
    const keyOk = keyType === 'number' ? typeof key === 'number' && Number.isFinite(key) : typeof key === 'string' && isTimestampText(key);
    if (order !== undefined && keyOk && typeof id === 'string' && UUID.test(id)) return { order, position: { key: key as KeyOf<T>, id } };
  }
  throw badRequest('The cursor is invalid or belongs to another listing; start again without it', 'invalid_cursor');
}

/** Splits the `limit + 1` rows a query fetched into one page and the cursor of the next. */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => string,
): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return { items: pageRows.map(toItem), nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}

export type KeyType = 'number' | 'timestamp';
type KeyValues<T extends readonly KeyType[]> = { [I in keyof T]: T[I] extends 'number' ? number : string };

/** A position in a listing sorted by several keys and then the id (e.g. comments by likes, then time). */
export interface CompositeKeyset<T extends readonly KeyType[]> {
  keys: KeyValues<T>;
  id: string;
}

export function encodeCompositeKeyset(order: string, keys: readonly (number | string)[], id: string): string {
  return Buffer.from(JSON.stringify([order, ...keys, id])).toString('base64url');
}

/** Null without a cursor; a 400 (`invalid_cursor`) for anything `encodeCompositeKeyset` would not have written for `order`. */
export function decodeCompositeKeyset<const T extends readonly KeyType[]>(order: string, value: string | undefined, keyTypes: T): CompositeKeyset<T> | null {
  if (!value) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString());
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === keyTypes.length + 2 && parsed[0] === order) {
    const keys = parsed.slice(1, -1) as unknown[];
    const id = parsed.at(-1);
    const keysOk = keys.every((key, i) =>
      keyTypes[i] === 'number' ? typeof key === 'number' && Number.isFinite(key) : typeof key === 'string' && isTimestampText(key),
    );
    if (keysOk && typeof id === 'string' && UUID.test(id)) return { keys: keys as KeyValues<T>, id };
  }
  throw badRequest('The cursor is invalid or belongs to another listing; start again without it', 'invalid_cursor');
}

/**
 * The SQL condition "after this position" for a listing ordered by `columns` and then `idColumn`, all descending
 * (or all ascending). Timestamp keys are PostgreSQL's own text of the value (select `column::text`), cast back,
 * so two rows in the same millisecond are still told apart.
 */
export function afterKeyset(
  columns: readonly string[],
  idColumn: string,
  keys: readonly (number | string)[],
  id: string,
  direction: 'desc' | 'asc' = 'desc',
): RawBuilder<boolean> {
  const left = sql.join([...columns, idColumn].map((column) => sql.ref(column)));
  const right = sql.join([...keys.map((key) => (typeof key === 'string' ? sql`${key}::timestamptz` : sql`${key}`)), sql`${id}::uuid`]);
  return direction === 'desc' ? sql<boolean>`(${left}) < (${right})` : sql<boolean>`(${left}) > (${right})`;
}
