import { describe, expect, it } from 'vitest';
import { decodeCompositeKeyset, decodeKeyset, encodeCompositeKeyset, encodeKeyset } from '../../src/infra/db/keyset.ts';
import { AppError } from '../../src/infra/http/errors.ts';

const ID = '0b7e8a52-4a3c-4f6e-9d3b-1f2a3b4c5d6e';
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function refusal(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('keyset cursors', () => {
  it('round-trip PostgreSQL timestamp text with its microseconds, and composite keys', () => {
    const at = '2026-06-01 10:00:00.123402+00';
    expect(decodeKeyset('videos:public', encodeKeyset('videos:public', { key: at, id: ID }), 'string')).toEqual({ key: at, id: ID });
    const cursor = encodeCompositeKeyset('comments:top', [5, at], ID);
    expect(decodeCompositeKeyset('comments:top', cursor, ['number', 'timestamp'] as const)).toEqual({ keys: [5, at], id: ID });
    expect(decodeKeyset('videos:public', undefined, 'string')).toBeNull();
  });

  it('refuse a cursor of another list, another shape, an impossible date or a forged id as invalid_cursor', () => {
    const at = '2026-06-01 10:00:00.123402+00';
    const cases = [
      () => decodeKeyset('history', encodeKeyset('videos:public', { key: at, id: ID }), 'string'),
      () => decodeKeyset('videos:public', b64(`2026-06-01T10:00:00.123Z|${ID}`), 'string'),
      () => decodeKeyset('videos:public', b64(['videos:public', '2024-02-30 10:00:00+00', ID]), 'string'),
      () => decodeKeyset('videos:public', b64(['videos:public', at, '-'.repeat(36)]), 'string'),
      () => decodeKeyset('videos:public', '%%%', 'string'),
      () => decodeCompositeKeyset('comments:top', encodeCompositeKeyset('comments:top', ['5', at], ID), ['number', 'timestamp'] as const),
      () => decodeCompositeKeyset('comments:newest', encodeCompositeKeyset('comments:newest', [at, at], ID), ['timestamp'] as const),
    ];
    for (const run of cases) {
      const error = refusal(run);
      expect(error.statusCode).toBe(400);
      expect(error.code).toBe('invalid_cursor');
    }
  });
});
