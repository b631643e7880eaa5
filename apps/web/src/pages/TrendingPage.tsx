import { VideoFeed } from '../components/VideoFeed.tsx';
import { EmptyState } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { videoKeys, videosApi } from '../features/videos/api.ts';

export function TrendingPage() {
  useDocumentTitle('Trending');
  return (
    <div className="page page-list">
      <h1 className="page-title">Trending</h1>
      <VideoFeed
        queryKey={videoKeys.trending}
        fetchPage={(cursor) => videosApi.trending(cursor)}
        layout="list"
        testId="trending-list"
        empty={
          <EmptyState icon="trending" title="Nothing is trending yet">
            <p className="muted">Videos that get views and likes over the last two weeks show up here.</p>
          </EmptyState>
        }
      />
    </div>
  );
}
