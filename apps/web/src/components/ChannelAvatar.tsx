import { Avatar } from './ui.tsx';
import './channel-avatar.css';

/** The channel's uploaded avatar, or its coloured initial. */
export function ChannelAvatar({ name, avatarUrl, size }: { name: string; avatarUrl: string | null; size: number }) {
  return avatarUrl ? (
    <img className="channel-avatar-image" src={avatarUrl} alt="" width={size} height={size} style={{ width: size, height: size }} />
  ) : (
    <Avatar name={name} size={size} />
  );
}
