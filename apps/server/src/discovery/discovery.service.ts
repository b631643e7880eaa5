import type { HomeFeed, RelatedVideos, TrendingPage, Video } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import type { MediaUrls } from '../playback/media-urls.ts';
import { toVideoDto } from '../videos/video.dto.ts';
import type { VideoService } from '../videos/video.service.ts';
import type { DiscoveryRepository } from './discovery.repository.ts';
import { decodeKeyset, encodeKeyset, pageOf } from '../infra/db/keyset.ts';
import type { ListingCache } from '../videos/listing-cache.ts';
import type { Cache } from '../infra/cache/cache.ts';

const TRENDING_ORDER = 'trending';
/** When the ranking has never been computed (fresh install), a request computes it, at most this often. */
const BOOTSTRAP_INTERVAL_SECONDS = 60;

export class DiscoveryService {
  constructor(
    private readonly repo: DiscoveryRepository,
    private readonly videos: VideoService,
    private readonly urls: MediaUrls,
    private readonly listings: ListingCache,
    private readonly cache: Cache,
  ) {}

  /** Run by the periodic job; also drops cached listings so the new order shows at once. */
  async refreshTrending(): Promise<number> {
    const kept = await this.repo.refreshTrending();
    await this.listings.bump();
    return kept;
  }

  trending(cursor: string | undefined, limit: number): Promise<TrendingPage> {
    const after = decodeKeyset(TRENDING_ORDER, cursor, 'number');
    return this.listings.getOrCompute('trending', [cursor, limit], async () => {
      let updatedAt = await this.repo.trendingUpdatedAt();
      if (!updatedAt && (await this.cache.setIfAbsent('trending:bootstrap', '1', BOOTSTRAP_INTERVAL_SECONDS))) {
        await this.repo.refreshTrending();
        updatedAt = await this.repo.trendingUpdatedAt();
      }
      const rows = await this.repo.trendingPage(after, limit + 1);
      const page = pageOf(
        rows,
        limit,
        (row) => toVideoDto(row, this.urls),
        (row) => encodeKeyset(TRENDING_ORDER, { key: row.trending_score, id: row.id }),
      );
      return { ...page, updatedAt: updatedAt ? updatedAt.toISOString() : null };
    });
  }

  home(limit: number): Promise<HomeFeed> {
    return this.listings.getOrCompute('home', [limit], async () => {
      const [trending, newest] = await Promise.all([this.trending(undefined, limit), this.videos.listPublic(undefined, limit)]);
      return { trending: trending.items, newest: newest.items };
    });
  }

  /**
   * Related videos for a video the viewer may see (else 404, as the video itself would be). Only listed videos are
   * suggested, whatever the source video's visibility; short lists are padded with trending videos.
   */
  async related(videoId: string, viewer: AuthUser | null, limit: number): Promise<RelatedVideos> {
    await this.videos.get(videoId, viewer);
    return this.listings.getOrCompute('related', [videoId, limit], async () => {
      const matches = await this.repo.related(videoId, limit);
      const items: Video[] = matches.map((row) => toVideoDto(row, this.urls));
      if (items.length < limit) {
        const padding = await this.repo.trendingPage(null, limit - items.length, [videoId, ...items.map((video) => video.id)]);
        items.push(...padding.map((row) => toVideoDto(row, this.urls)));
      }
      return { items };
    });
  }
}
