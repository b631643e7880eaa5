import type { Channel } from '@tube/shared';
import { formatCompactNumber } from './format.ts';

/** The channel as it will be once the (un)subscription is stored, for showing it before the server answers. */
export function withSubscription(channel: Channel, subscribed: boolean): Channel {
  if (channel.subscribed === subscribed) return channel;
  const change = subscribed ? 1 : channel.subscribed ? -1 : 0;
  return { ...channel, subscribed, subscriberCount: Math.max(0, channel.subscriberCount + change) };
}

export function formatSubscriberCount(count: number): string {
  return `${formatCompactNumber(count)} subscriber${count === 1 ? '' : 's'}`;
}
