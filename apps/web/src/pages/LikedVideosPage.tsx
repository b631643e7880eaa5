import { Link } from 'react-router-dom';
import { api } from '../api/client.ts';
import { queryKeys } from '../api/query-keys.ts';
import { SignInRequired } from '../auth/SignInRequired.tsx';
import { VideoFeed } from '../components/VideoFeed.tsx';
import { EmptyState } from '../components/ui.tsx';
import { useDocumentTitle } from './use-document-title.ts';

export function LikedVideosPage() {
  useDocumentTitle('Liked videos');
  return (
    <SignInRequired icon="thumbUp" title="Enjoy your favourite videos" message="Sign in to see the videos you liked.">
      <div className="page page-list">
        <h1 className="page-title">Liked videos</h1>
        <VideoFeed
          queryKey={queryKeys.likedVideos}
          fetchPage={api.likedVideos}
          layout="list"
          testId="liked-videos"
          empty={
            <EmptyState icon="thumbUp" title="No liked videos yet">
              <p className="muted">Press the thumbs-up under a video to find it here later.</p>
              <Link to="/" className="button button-secondary">
                Find videos
              </Link>
            </EmptyState>
          }
        />
      </div>
    </SignInRequired>
  );
}
