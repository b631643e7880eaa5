import { useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import type { Channel } from '@tube/shared';
import { ApiError, describeError } from '../api/errors.ts';
import { useAuth } from '../api/auth-context.tsx';
import { ChannelAvatar } from '../components/ChannelAvatar.tsx';
import { Icon } from '../components/Icon.tsx';
import { SubscribeButton } from '../features/channels/SubscribeButton.tsx';
import { useToast } from '../components/toasts.tsx';
import { VideoFeed } from '../components/VideoFeed.tsx';
import { PlaylistCard } from '../features/playlists/PlaylistCard.tsx';
import { Dialog, EmptyState, ErrorMessage, Field, PageLoading, SaveCancelActions } from '../components/ui.tsx';
import { formatDate } from '../lib/format.ts';
import { CHANNEL_DESCRIPTION_MAX_LENGTH, CHANNEL_NAME_MAX_LENGTH, checkChannelImage } from '../lib/community-rules.ts';
import { formatSubscriberCount } from '../lib/subscription.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { ScheduledCards } from '../features/studio/ScheduledCards.tsx';
import { channelKeys, channelsApi, type ChannelImageKind, channelQueries } from '../features/channels/api.ts';
import './channel.css';

type ChannelTab = 'videos' | 'playlists' | 'about';
const TAB_LABELS: Record<ChannelTab, string> = { videos: 'Videos', playlists: 'Playlists', about: 'About' };

export function ChannelPage() {
  const { handle = '' } = useParams();
  const [searchParams, setSearchParams] = useSearchParams();
  const requestedTab = searchParams.get('tab');
  const tab: ChannelTab = requestedTab === 'about' || requestedTab === 'playlists' ? requestedTab : 'videos';
  const { user, status } = useAuth();
  const [customizing, setCustomizing] = useState(false);
  const channel = useQuery({ ...channelQueries.channel(handle), enabled: status !== 'loading' });
  useDocumentTitle(channel.data?.name ?? `@${handle}`);

  if (channel.isPending) return <PageLoading />;
  if (channel.isError) {
    if (channel.error instanceof ApiError && channel.error.status === 404) {
      return (
        <div className="page">
          <EmptyState icon="channel" title="This channel doesn't exist">
            <p className="muted">Check the link, or find channels with the search box.</p>
          </EmptyState>
        </div>
      );
    }
    return <ErrorMessage message={describeError(channel.error)} onRetry={() => void channel.refetch()} />;
  }

  const data = channel.data;
  const isOwner = user?.id === data.owner.id;
  return (
    <div className="page channel-page">
      {data.bannerUrl ? <img className="channel-banner" src={data.bannerUrl} alt="" data-testid="channel-banner" /> : null}
      <header className="channel-header">
        <ChannelAvatar name={data.name} avatarUrl={data.avatarUrl} size={96} />
        <div className="channel-info">
          <h1>{data.name}</h1>
          <p className="muted">
            @{data.handle} · <span data-testid="channel-subscriber-count">{formatSubscriberCount(data.subscriberCount)}</span> ·{' '}
            {data.videoCount === 1 ? '1 video' : `${data.videoCount} videos`}
          </p>
          {data.description ? <p className="channel-description channel-description-short">{data.description}</p> : null}
          <div className="channel-actions">
            <SubscribeButton channel={data} />
            {isOwner ? (
              <>
                <button type="button" className="button button-secondary" onClick={() => setCustomizing(true)}>
                  <Icon name="edit" /> Customize channel
                </button>
                <Link to={`/studio?channel=${data.id}`} className="button button-secondary">
                  Manage videos
                </Link>
                <Link to={`/upload?channel=${data.id}`} className="button button-secondary">
                  <Icon name="upload" /> Upload a video
                </Link>
              </>
            ) : null}
          </div>
        </div>
      </header>
      <div className="tabs" role="tablist" aria-label="Channel sections">
        {(['videos', 'playlists', 'about'] as const).map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            className="tab"
            aria-selected={tab === name}
            onClick={() => setSearchParams(name === 'videos' ? {} : { tab: name }, { replace: true })}
          >
            {TAB_LABELS[name]}
          </button>
        ))}
      </div>
      <div role="tabpanel" className="tab-panel">
        {tab === 'videos' && isOwner ? <ScheduledCards channelHandle={data.handle} /> : null}
        {tab === 'videos' ? (
          <VideoFeed
            queryKey={channelKeys.channelVideos(handle)}
            fetchPage={(cursor) => channelsApi.listChannelVideos(handle, cursor)}
            empty={
              <EmptyState icon="video" title="No videos yet">
                {isOwner ? (
                  <Link to={`/upload?channel=${data.id}`} className="button button-primary">
                    Upload a video
                  </Link>
                ) : (
                  <p className="muted">This channel hasn't published anything yet.</p>
                )}
              </EmptyState>
            }
          />
        ) : tab === 'playlists' ? (
          <ChannelPlaylists handle={handle} />
        ) : (
          <section className="channel-about" aria-label="About">
            <h2>Description</h2>
            <p className="channel-description">{data.description || 'No description.'}</p>
            <h2>Stats</h2>
            <p className="muted">Joined {formatDate(data.createdAt)}</p>
            <p className="muted">{formatSubscriberCount(data.subscriberCount)}</p>
          </section>
        )}
      </div>
      {isOwner ? (
        <Dialog open={customizing} title="Customize channel" onClose={() => setCustomizing(false)}>
          <CustomizeChannelForm channel={data} onDone={() => setCustomizing(false)} />
        </Dialog>
      ) : null}
    </div>
  );
}

function CustomizeChannelForm({ channel, onDone }: { channel: Channel; onDone(): void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState(channel.name);
  const [description, setDescription] = useState(channel.description);
  const storeChannel = (saved: Channel) => {
    queryClient.setQueriesData<Channel>({ queryKey: channelKeys.all }, (cached) =>
      cached && cached.id === saved.id ? { ...saved, subscribed: cached.subscribed } : cached,
    );
    void queryClient.invalidateQueries({ queryKey: channelKeys.myChannels });
  };
  const save = useMutation({
    mutationFn: () => channelsApi.updateChannel(channel.id, { name: name.trim(), description }),
    onSuccess: (saved) => {
      storeChannel(saved);
      toast.show('Channel saved');
      onDone();
    },
  });
  const nameError =
    name.trim().length === 0
      ? 'Enter a name.'
      : name.trim().length > CHANNEL_NAME_MAX_LENGTH
        ? `Use at most ${CHANNEL_NAME_MAX_LENGTH} characters.`
        : undefined;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (nameError) return;
    if (name.trim() === channel.name && description === channel.description) onDone();
    else save.mutate();
  };
  return (
    <div className="customize-channel">
      <ChannelImagePicker channel={channel} kind="avatar" onSaved={storeChannel} />
      <ChannelImagePicker channel={channel} kind="banner" onSaved={storeChannel} />
      <form onSubmit={submit} noValidate>
        {save.isError ? <p className="form-error">{describeError(save.error)}</p> : null}
        <Field label="Name" error={nameError} counter={`${name.trim().length}/${CHANNEL_NAME_MAX_LENGTH}`}>
          {(control) => <input {...control} name="name" value={name} onChange={(event) => setName(event.target.value)} />}
        </Field>
        <Field label="Description" counter={`${description.length}/${CHANNEL_DESCRIPTION_MAX_LENGTH}`}>
          {(control) => (
            <textarea
              {...control}
              name="description"
              maxLength={CHANNEL_DESCRIPTION_MAX_LENGTH}
              value={description}
              onChange={(event) => setDescription(event.target.value)}
            />
          )}
        </Field>
        <SaveCancelActions onCancel={onDone} saving={save.isPending} />
      </form>
    </div>
  );
}

/** Picks an image file and uploads it right away as the channel's avatar or banner. */
function ChannelImagePicker({ channel, kind, onSaved }: { channel: Channel; kind: ChannelImageKind; onSaved(channel: Channel): void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const toast = useToast();
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useMutation({
    mutationFn: (image: File) => channelsApi.setChannelImage(channel.id, kind, image),
    onSuccess: (saved) => {
      onSaved(saved);
      toast.show(kind === 'avatar' ? 'Picture updated' : 'Banner updated');
    },
    onError: (error) => setProblem(describeError(error)),
  });
  const current = kind === 'avatar' ? channel.avatarUrl : channel.bannerUrl;
  const label = kind === 'avatar' ? 'Picture' : 'Banner image';
  return (
    <div className={`image-picker image-picker-${kind}`}>
      <div className="image-picker-preview">
        {current ? (
          <img src={current} alt="" />
        ) : kind === 'avatar' ? (
          <ChannelAvatar name={channel.name} avatarUrl={null} size={80} />
        ) : (
          <span className="muted">No banner</span>
        )}
      </div>
      <div>
        <p className="image-picker-label">{label}</p>
        <p className="muted">
          {kind === 'avatar' ? 'A square JPEG, PNG or WebP image; it is cropped to a circle.' : 'A wide image, at least 2048 × 1152 for the best result.'}
        </p>
        {problem ? <p className="field-error">{problem}</p> : null}
        <button type="button" className="button button-secondary" disabled={upload.isPending} onClick={() => inputRef.current?.click()}>
          <Icon name="camera" /> {upload.isPending ? 'Uploading…' : current ? 'Change' : 'Upload'}
        </button>
        <input
          ref={inputRef}
          className="visually-hidden"
          type="file"
          accept="image/jpeg,image/png,image/webp"
          tabIndex={-1}
          aria-label={`${label} file`}
          data-testid={`${kind}-input`}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (!file) return;
            const issue = checkChannelImage(file.type, file.size);
            setProblem(issue);
            if (!issue) upload.mutate(file);
          }}
        />
      </div>
    </div>
  );
}

function ChannelPlaylists({ handle }: { handle: string }) {
  const playlists = useQuery(channelQueries.channelPlaylists(handle));
  if (playlists.isPending) return <p className="muted">Loading playlists…</p>;
  if (playlists.isError) return <p className="muted">Couldn't load the playlists.</p>;
  if (playlists.data.items.length === 0) {
    return (
      <EmptyState icon="playlist" title="No public playlists">
        <p className="muted">This channel has not shared any playlists.</p>
      </EmptyState>
    );
  }
  return (
    <div className="video-grid" data-testid="channel-playlists">
      {playlists.data.items.map((playlist) => (
        <PlaylistCard key={playlist.id} playlist={playlist} />
      ))}
    </div>
  );
}
