import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router-dom';
import { describeError } from '../api/errors.ts';
import { SignInRequired } from '../features/auth/SignInRequired.tsx';
import { ChannelAvatar } from '../components/ChannelAvatar.tsx';
import { VideoFeed } from '../components/VideoFeed.tsx';
import { EmptyState, ErrorMessage } from '../components/ui.tsx';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { channelKeys, channelsApi, channelQueries } from '../features/channels/api.ts';
import '../components/lists.css';

export function SubscriptionsPage() {
  useDocumentTitle('Subscriptions');
  return (
    <SignInRequired icon="subscriptions" title="Don't miss new videos" message="Sign in to see updates from your favourite channels.">
      <Subscriptions />
    </SignInRequired>
  );
}

function Subscriptions() {
  const channels = useQuery(channelQueries.subscriptions());
  const subscribed = channels.data?.items ?? [];
  return (
    <div className="page">
      <h1 className="page-title">Subscriptions</h1>
      {channels.isError ? <ErrorMessage message={describeError(channels.error)} onRetry={() => void channels.refetch()} /> : null}
      {subscribed.length > 0 ? (
        <nav aria-label="Subscribed channels">
          <ul className="subscribed-channels" data-testid="subscribed-channels">
            {subscribed.map((channel) => (
              <li key={channel.id}>
                <Link to={`/channel/${encodeURIComponent(channel.handle)}`} className="subscribed-channel">
                  <ChannelAvatar name={channel.name} avatarUrl={channel.avatarUrl} size={56} />
                  <span>{channel.name}</span>
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
      {channels.isSuccess && subscribed.length === 0 ? (
        <EmptyState icon="subscriptions" title="No subscriptions yet">
          <p className="muted">Subscribe to channels you like: their new videos will show up here.</p>
          <Link to="/" className="button button-secondary">
            Find videos
          </Link>
        </EmptyState>
      ) : (
        <>
          <h2 className="section-title">Latest</h2>
          <VideoFeed
            queryKey={channelKeys.subscriptionFeed}
            fetchPage={channelsApi.subscriptionFeed}
            testId="subscription-feed"
            empty={<p className="muted">Your subscriptions haven't published anything yet.</p>}
          />
        </>
      )}
    </div>
  );
}
