import { Link } from 'react-router-dom';
import { SignInRequired } from '../features/auth/SignInRequired.tsx';
import { VideoFeed } from '../components/VideoFeed.tsx';
import { EmptyState } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { ratingApi, ratingKeys } from '../features/rating/api.ts';

export function LikedVideosPage() {
  useDocumentTitle('Liked videos');
  return (
    <SignInRequired icon="thumbUp" title="Enjoy your favourite videos" message="Sign in to see the videos you liked.">
      <div className="page page-list">
        <h1 className="page-title">Liked videos</h1>
        <VideoFeed
          queryKey={ratingKeys.likedVideos}
          fetchPage={ratingApi.likedVideos}
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
