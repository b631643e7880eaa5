import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { SearchDuration, SearchSort, SearchUploaded } from '@tube/shared';
import type { Db } from '../infra/db/database.ts';
import type { Database } from '../infra/db/schema.ts';
import type { Keyset } from '../infra/db/keyset.ts';
import { isListed, VIDEO_CHANNEL_COLUMNS } from '../videos/video-rows.ts';
import type { ParsedQuery } from './search-query.ts';

type Trx = Transaction<Database>;

/**
 * Typo tolerance: every query word must be close to some word of the title (pg_trgm word_similarity ≥ 0.4, which
 * the trigram index answers), and the words together must average ≥ 0.45. Measured on one-letter typos:
 * "psta"→"pasta" 0.40, "vidoe"→"video" 0.50, "holliday"→"holiday" 0.70, while "holliday"→"Holly" is 0.44.
 */
const WORD_SIMILARITY_THRESHOLD = 0.4;
const MEAN_WORD_SIMILARITY_MIN = 0.45;

/**
 * Relevance = full-text rank normalised to 0..1 (title words weigh 1, tags 0.4, description 0.2) + 0.6 × the mean
 * trigram similarity of the query words to the title. Exact matches score on both, typo matches only on the
 * second, so they follow good full-text matches.
 */
const TRIGRAM_WEIGHT = 0.6;

const DURATION_SECONDS: Record<SearchDuration, [number, number]> = { short: [0, 240], medium: [240, 1200], long: [1200, Number.MAX_SAFE_INTEGER] };
const UPLOADED_WITHIN: Record<SearchUploaded, string> = { hour: '1 hour', today: '24 hours', week: '7 days', month: '30 days', year: '365 days' };

export interface VideoSearch {
  query: ParsedQuery;
  /** Also match titles approximately (typos); off when full-text search alone finds plenty. */
  fuzzy: boolean;
  duration?: SearchDuration;
  uploaded?: SearchUploaded;
  category?: string;
  language?: string;
  sort: SearchSort;
  after: Keyset<number> | null;
  limit: number;
}

export interface ChannelSearch {
  query: ParsedQuery;
  sort: SearchSort;
  after: Keyset<number> | null;
  limit: number;
}

/** Microseconds since the epoch as float8: exact (below 2^53) and comparable like every other sort key. */
const epochMicros = (column: RawBuilder<unknown>) => sql<number>`(extract(epoch FROM ${column}) * 1000000)::float8`;

/** SQL pieces for approximate matching of the query words against one text column or expression. */
function trigramMatch(words: readonly string[], target: RawBuilder<unknown>) {
  if (words.length === 0) return { candidates: sql<boolean>`false`, meanSimilarity: sql<number>`0::float8` };
  return {
    /** Index-answerable: each word is close to some word of the target. */
    candidates: sql<boolean>`(${sql.join(
      words.map((word) => sql`${word} <% ${target}`),
      sql` AND `,
    )})`,
    meanSimilarity: sql<number>`((${sql.join(
      words.map((word) => sql`word_similarity(${word}, ${target})`),
      sql` + `,
    )}) / ${words.length})`,
  };
}

function anyOfWords(config: 'english' | 'simple', words: readonly string[]) {
  return sql`(${sql.join(
    words.map((word) => sql`plainto_tsquery(${config}::regconfig, ${word})`),
    sql` || `,
  )})`;
}

export class SearchRepository {
  constructor(private readonly db: Db) {}

  /** pg_trgm's threshold is a setting; set it for this transaction only. */
  private inTrigramTransaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      await sql`SELECT set_config('pg_trgm.word_similarity_threshold', ${String(WORD_SIMILARITY_THRESHOLD)}, true)`.execute(trx);
      return work(trx);
    });
  }

  /** Listed videos matching the full-text query, counted up to `upTo` (enough to decide whether to match typos too). */
  async countExactMatches(text: string, upTo: number): Promise<number> {
    const { rows } = await sql<{ found: number }>`
      SELECT count(*)::int AS found FROM (
        SELECT 1 FROM video_search_documents JOIN videos ON videos.id = video_search_documents.video_id
        WHERE video_search_documents.document @@ websearch_to_tsquery('english'::regconfig, ${text}) AND ${isListed}
        LIMIT ${upTo}
      ) AS matches
    `.execute(this.db);
    return rows[0]?.found ?? 0;
  }

  /**
   * Candidates come from two indexed lookups — full text on the search documents, trigrams on the titles — united,
   * then filtered (listed, typo matches close enough, exclusions, filters), ranked and cut at the cursor.
   */
  searchVideos(search: VideoSearch) {
    const { text, excludedWords } = search.query;
    const tsQuery = sql`websearch_to_tsquery('english'::regconfig, ${text})`;
    const fuzzy = trigramMatch(search.fuzzy ? search.query.fuzzyWords : [], sql.ref('videos.title'));
    const sortKey =
      search.sort === 'date'
        ? epochMicros(sql.ref('videos.published_at'))
        : search.sort === 'views'
          ? sql<number>`videos.view_count::float8`
          : sql<number>`(coalesce(ts_rank_cd(document.document, ${tsQuery}, 32), 0) + ${TRIGRAM_WEIGHT}::float8 * ${fuzzy.meanSimilarity})::float8`;
    return this.inTrigramTransaction((trx) => {
      let ranked = trx
        .with('candidates', (db) =>
          db
            .selectFrom('video_search_documents')
            .select('video_id as id')
            .where(sql<boolean>`document @@ ${tsQuery}`)
            .union(db.selectFrom('videos').select('id').where(fuzzy.candidates)),
        )
        .selectFrom('candidates')
        .innerJoin('videos', 'videos.id', 'candidates.id')
        .innerJoin('channels', 'channels.id', 'videos.channel_id')
        .innerJoin('video_search_documents as document', 'document.video_id', 'videos.id')
        .selectAll('videos')
        .select(VIDEO_CHANNEL_COLUMNS)
        .select(sortKey.as('sort_key'))
        .where(isListed)
        .where(sql<boolean>`(document.document @@ ${tsQuery} OR ${fuzzy.meanSimilarity} >= ${MEAN_WORD_SIMILARITY_MIN}::float8)`);
      if (excludedWords.length) ranked = ranked.where(sql<boolean>`NOT (document.document @@ ${anyOfWords('english', excludedWords)})`);
      if (search.duration) {
        const [min, max] = DURATION_SECONDS[search.duration];
        ranked = ranked.where('videos.duration_seconds', '>=', min).where('videos.duration_seconds', '<', max);
      }
      if (search.uploaded) ranked = ranked.where(sql<boolean>`videos.published_at >= now() - ${UPLOADED_WITHIN[search.uploaded]}::interval`);
      if (search.category) ranked = ranked.where('videos.category', '=', search.category);
      // `pt` also finds `pt-BR`: people filter by language, not by regional variant.
      if (search.language)
        ranked = ranked.where((eb) => eb.or([eb('videos.language', '=', search.language!), eb('videos.language', 'like', `${search.language!}-%`)]));
      let page = trx.selectFrom(ranked.as('ranked')).selectAll('ranked');
      if (search.after) page = page.where(sql<boolean>`(ranked.sort_key, ranked.id) < (${search.after.key}::float8, ${search.after.id}::uuid)`);
      return page.orderBy('ranked.sort_key', 'desc').orderBy('ranked.id', 'desc').limit(search.limit).execute();
    });
  }

  /** Channels by name and handle: full text (any language, no stemming) plus trigram similarity. */
  searchChannels(search: ChannelSearch) {
    const text = search.query.text.replace(/^@/, '');
    const tsQuery = sql`websearch_to_tsquery('simple'::regconfig, ${text})`;
    const document = sql`to_tsvector('simple'::regconfig, channels.name || ' ' || channels.handle)`;
    const fuzzy = trigramMatch(search.query.fuzzyWords, sql`(channels.name || ' ' || channels.handle)`);
    const sortKey =
      search.sort === 'date'
        ? epochMicros(sql.ref('channels.created_at'))
        : search.sort === 'views'
          ? sql<number>`channels.subscriber_count::float8`
          : sql<number>`(coalesce(ts_rank_cd(${document}, ${tsQuery}, 32), 0) + ${TRIGRAM_WEIGHT}::float8 * ${fuzzy.meanSimilarity})::float8`;
    return this.inTrigramTransaction((trx) => {
      let ranked = trx
        .selectFrom('channels')
        .select(['channels.id', 'channels.handle', 'channels.name', 'channels.description', 'channels.avatar_key', 'channels.subscriber_count'])
        .select(sortKey.as('sort_key'))
        .where(sql<boolean>`(${document} @@ ${tsQuery} OR (${fuzzy.candidates} AND ${fuzzy.meanSimilarity} >= ${MEAN_WORD_SIMILARITY_MIN}::float8))`);
      if (search.query.excludedWords.length) ranked = ranked.where(sql<boolean>`NOT (${document} @@ ${anyOfWords('simple', search.query.excludedWords)})`);
      let page = trx.selectFrom(ranked.as('ranked')).selectAll('ranked');
      if (search.after) page = page.where(sql<boolean>`(ranked.sort_key, ranked.id) < (${search.after.key}::float8, ${search.after.id}::uuid)`);
      return page.orderBy('ranked.sort_key', 'desc').orderBy('ranked.id', 'desc').limit(search.limit).execute();
    });
  }

  async listedVideoCounts(channelIds: readonly string[]): Promise<Map<string, number>> {
    if (channelIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('videos')
      .select(['videos.channel_id', (eb) => eb.fn.countAll<number>().as('count')])
      .where('videos.channel_id', 'in', channelIds)
      .where(isListed)
      .groupBy('videos.channel_id')
      .execute();
    return new Map(rows.map((row) => [row.channel_id, Number(row.count)]));
  }

  /**
   * Titles for as-you-type suggestions: titles starting with the text first, then titles with a word close to it.
   * Duplicate titles (ignoring case) appear once.
   */
  suggestTitles(prefix: string, limit: number) {
    const likePattern = `${prefix.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    return this.inTrigramTransaction(async (trx) => {
      const { rows } = await sql<{ title: string }>`
        SELECT min(title) AS title
        FROM (
          SELECT videos.title,
                 (CASE WHEN videos.title ILIKE ${likePattern} THEN 1 ELSE 0 END + word_similarity(${prefix}, videos.title)) AS score,
                 videos.view_count
          FROM videos
          WHERE (videos.title ILIKE ${likePattern} OR ${prefix} <% videos.title) AND ${isListed}
          ORDER BY score DESC, videos.view_count DESC
          LIMIT 200
        ) AS matches
        GROUP BY lower(title)
        ORDER BY max(score) DESC, max(view_count) DESC, lower(title)
        LIMIT ${limit}
      `.execute(trx);
      return rows.map((row) => row.title);
    });
  }
}
