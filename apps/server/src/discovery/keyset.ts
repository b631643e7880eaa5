import { badRequest } from '../infra/http/errors.ts';

/**
 * An opaque position in a listing ordered by (key DESC, id DESC). The key is either a number (scores, counts,
 * epoch microseconds) or PostgreSQL's own text of a timestamp, so it compares exactly (JavaScript dates lose
 * microseconds). `order` names the listing and its sort, so a cursor is only accepted where it was issued.
 */
export interface Keyset<K extends number | string> {
  key: K;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

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

export function decodeKeysetOf<O extends string, T extends 'number' | 'string'>(orders: readonly O[], value: string, keyType: T): { order: O; position: Keyset<KeyOf<T>> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64url').toString());
  } catch {
    parsed = null;
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [issuedFor, key, id] = parsed as unknown[];
    const order = orders.find((candidate) => candidate === issuedFor);
    const keyOk = keyType === 'number' ? typeof key === 'number' && Number.isFinite(key) : typeof key === 'string' && key.length <= 64;
    if (order !== undefined && keyOk && typeof id === 'string' && UUID.test(id)) return { order, position: { key: key as KeyOf<T>, id } };
  }
  throw badRequest('The cursor is invalid or belongs to another listing; start again without it', 'invalid_cursor');
}

/** Splits the `limit + 1` rows a query fetched into one page and the cursor of the next. */
export function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, cursorOf: (row: Row) => string): { items: Item[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return { items: pageRows.map(toItem), nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
