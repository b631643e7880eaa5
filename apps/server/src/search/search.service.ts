import type { ChannelResult, SearchQuery, SearchResults, SearchSort, Suggestions } from '@tube/shared';
import { badRequest } from '../infra/http/errors.ts';
import type { MediaUrls } from '../playback/media-urls.ts';
import { toVideoDto } from '../videos/video.dto.ts';
import { decodeKeyset, decodeKeysetOf, encodeKeyset, pageOf } from '../infra/db/keyset.ts';
import type { ListingCache } from '../videos/listing-cache.ts';
import type { SearchRepository } from './search.repository.ts';
import { parseQuery } from './search-query.ts';

const SUGGESTION_COUNT = 8;
/**
 * Typo-tolerant matching compares the query with every candidate title, which costs more than full-text search;
 * it only runs when full-text search finds fewer listed videos than this.
 */
const FUZZY_BELOW_EXACT_MATCHES = 10;
/** One or two letters match too much to be useful (and defeat the trigram index). */
const SUGGESTION_MIN_LENGTH = 2;

export class SearchService {
  constructor(
    private readonly repo: SearchRepository,
    private readonly urls: MediaUrls,
    private readonly listings: ListingCache,
  ) {}

  async search(input: SearchQuery): Promise<SearchResults> {
    const query = parseQuery(input.q);
    if (!query.text) throw badRequest('Type something to search for', 'empty_query');
    const sort: SearchSort = input.sort ?? 'relevance';
    const limit = input.limit ?? 20;

    if (input.type === 'channels') {
      const order = `search:channels:${sort}`;
      const rows = await this.repo.searchChannels({ query, sort, after: decodeKeyset(order, input.cursor, 'number'), limit: limit + 1 });
      const counts = await this.repo.listedVideoCounts(rows.slice(0, limit).map((row) => row.id));
      const page = pageOf(
        rows,
        limit,
        (row): ChannelResult => ({
          id: row.id,
          handle: row.handle,
          name: row.name,
          description: row.description,
          avatarUrl: this.urls.assetUrl(row.avatar_key),
          subscriberCount: Number(row.subscriber_count),
          videoCount: counts.get(row.id) ?? 0,
        }),
        (row) => encodeKeyset(order, { key: row.sort_key, id: row.id }),
      );
      return { type: 'channels', ...page };
    }

    // The cursor remembers whether the first page matched typos too, so later pages continue the same listing.
    const exactOrder = `search:videos:${sort}:exact`;
    const fuzzyOrder = `search:videos:${sort}:fuzzy`;
    const continued = input.cursor ? decodeKeysetOf([exactOrder, fuzzyOrder], input.cursor, 'number') : null;
    const fuzzy = continued
      ? continued.order === fuzzyOrder
      : (await this.repo.countExactMatches(query.text, FUZZY_BELOW_EXACT_MATCHES)) < FUZZY_BELOW_EXACT_MATCHES;
    const order = fuzzy ? fuzzyOrder : exactOrder;
    const rows = await this.repo.searchVideos({
      query,
      fuzzy,
      sort,
      ...(input.duration ? { duration: input.duration } : {}),
      ...(input.uploaded ? { uploaded: input.uploaded } : {}),
      ...(input.category ? { category: input.category } : {}),
      ...(input.language ? { language: input.language } : {}),
      after: continued?.position ?? null,
      limit: limit + 1,
    });
    const page = pageOf(
      rows,
      limit,
      (row) => toVideoDto(row, this.urls),
      (row) => encodeKeyset(order, { key: row.sort_key, id: row.id }),
    );
    return { type: 'videos', ...page };
  }

  async suggestions(typed: string): Promise<Suggestions> {
    const text = parseQuery(typed).text.toLowerCase();
    if (text.length < SUGGESTION_MIN_LENGTH) return { suggestions: [] };
    const suggestions = await this.listings.getOrCompute('suggestions', [text], () => this.repo.suggestTitles(text, SUGGESTION_COUNT));
    return { suggestions };
  }
}
