import { describe, expect, it } from 'vitest';
import { countActiveFilters, readSearchFilters, searchParamsFor } from '../src/lib/search-filters.ts';

describe('category and language search filters', () => {
  it('are read from the URL when known, and written back', () => {
    const filters = readSearchFilters(new URLSearchParams('q=x&category=music&language=pt-BR'));
    expect(filters).toEqual({ category: 'music', language: 'pt-BR' });
    expect(countActiveFilters(filters)).toBe(2);
    expect(searchParamsFor('x', filters).toString()).toBe('q=x&category=music&language=pt-BR');
    expect(readSearchFilters(new URLSearchParams('q=x&category=cooking&language=klingon'))).toEqual({});
    // Channel searches have no category or language.
    expect(readSearchFilters(new URLSearchParams('q=x&type=channels&category=music'))).toEqual({ type: 'channels' });
  });
});
