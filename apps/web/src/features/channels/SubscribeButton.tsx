import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Channel } from '@tube/shared';
import { describeError } from '../../api/errors.ts';
import { useAuth } from '../../api/auth-context.tsx';
import { withSubscription } from '../../lib/subscription.ts';
import { useToast } from '../../components/toasts.tsx';
import { SignInPopover } from '../../components/SignInPopover.tsx';
import { channelKeys, channelsApi } from './api.ts';

/** Every cached copy of this channel (pages may key it by handle in any letter case). */
function updateCachedChannel(queryClient: ReturnType<typeof useQueryClient>, channelId: string, change: (channel: Channel) => Channel) {
  queryClient.setQueriesData<Channel>({ queryKey: channelKeys.all }, (cached) => (cached && cached.id === channelId ? change(cached) : cached));
}

/**
 * Subscribe / Subscribed toggle. Shows the change at once and takes it back if the server refuses.
 * Hidden on one's own channel; anonymous viewers are invited to sign in.
 */
export function SubscribeButton({ channel }: { channel: Channel }) {
  const { user, status } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const toggle = useMutation({
    mutationFn: (subscribe: boolean) => channelsApi.setSubscribed(channel.id, subscribe),
    onMutate: async (subscribe) => {
      await queryClient.cancelQueries({ queryKey: channelKeys.all });
      const before = channel;
      updateCachedChannel(queryClient, channel.id, (cached) => withSubscription(cached, subscribe));
      return { before };
    },
    onError: (error, _subscribe, context) => {
      if (context) updateCachedChannel(queryClient, channel.id, () => context.before);
      toast.show(describeError(error));
    },
    onSuccess: (saved, subscribe) => {
      updateCachedChannel(queryClient, channel.id, (cached) => ({ ...cached, subscribed: saved.subscribed, subscriberCount: saved.subscriberCount }));
      toast.show(subscribe ? `Subscribed to ${channel.name}` : `Unsubscribed from ${channel.name}`);
      void queryClient.invalidateQueries({ queryKey: channelKeys.subscriptions });
      void queryClient.invalidateQueries({ queryKey: channelKeys.subscriptionFeed });
    },
  });

  if (status === 'loading') return null;
  if (user && user.id === channel.owner.id) return null;
  if (!user) {
    return (
      <SignInPopover
        trigger="Subscribe"
        className="button button-primary subscribe-button"
        title="Want to subscribe to this channel?"
        message="Sign in to subscribe and see its new videos in your feed."
      />
    );
  }
  const subscribed = channel.subscribed === true;
  return (
    <button
      type="button"
      className={subscribed ? 'button button-secondary subscribe-button' : 'button button-primary subscribe-button'}
      data-subscribed={subscribed}
      title={subscribed ? `Unsubscribe from ${channel.name}` : `Subscribe to ${channel.name}`}
      disabled={toggle.isPending}
      onClick={() => toggle.mutate(!subscribed)}
    >
      {subscribed ? 'Subscribed' : 'Subscribe'}
    </button>
  );
}
