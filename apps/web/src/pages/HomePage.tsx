import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { VideoCard } from '../components/VideoCard.tsx';
import { VideoFeed } from '../components/VideoFeed.tsx';
import { EmptyState } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { videoKeys, videosApi, videoQueries } from '../features/videos/api.ts';

const TRENDING_ON_HOME = 8;

export function HomePage() {
  useDocumentTitle(null);
  return (
    <div className="page">
      <h1 className="visually-hidden">Home</h1>
      <TrendingSection />
      <VideoFeed
        queryKey={videoKeys.homeFeed}
        fetchPage={videosApi.listVideos}
        testId="video-grid"
        empty={
          <EmptyState icon="video" title="No videos yet">
            <p className="muted">Be the first to share something.</p>
            <Link to="/upload" className="button button-primary">
              Upload a video
            </Link>
          </EmptyState>
        }
      />
    </div>
  );
}

/** The top of the trending ranking, above the newest videos; absent on servers without it or before anything trends. */
function TrendingSection() {
  const trending = useQuery({ ...videoQueries.trendingOnHome(TRENDING_ON_HOME), retry: false });
  const videos = trending.data?.items ?? [];
  if (videos.length === 0) return null;
  return (
    <section className="home-section" aria-labelledby="home-trending" data-testid="home-trending">
      <div className="section-header">
        <h2 id="home-trending">Trending</h2>
        <Link to="/feed/trending" className="button button-text">
          See all
        </Link>
      </div>
      <div className="video-grid">
        {videos.map((video, index) => (
          <VideoCard key={video.id} video={video} eager={index < 4} />
        ))}
      </div>
      <h2 className="home-section-title">Newest</h2>
    </section>
  );
}
