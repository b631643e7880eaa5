import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router-dom';
import type { Channel } from '@tube/shared';
import { ApiError, describeError } from '../api/errors.ts';
import { ChannelAvatar } from '../components/ChannelAvatar.tsx';
import { Icon } from '../components/Icon.tsx';
import { useToast } from '../components/toasts.tsx';
import { Dialog, ErrorMessage, Field, PageLoading } from '../components/ui.tsx';
import { CHANNEL_DESCRIPTION_MAX_LENGTH, CHANNEL_NAME_MAX_LENGTH, validateNewChannel, type NewChannelInput } from '../lib/community-rules.ts';
import { formatSubscriberCount } from '../lib/subscription.ts';
import { useDocumentTitle } from '../lib/use-document-title.ts';
import { channelKeys, channelsApi, channelQueries } from '../features/channels/api.ts';
import './channel.css';

/** The signed-in person's channels, and a form for another one. */
export function MyChannelsPage() {
  useDocumentTitle('My channels');
  const channels = useQuery(channelQueries.myChannels());
  const [creating, setCreating] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  if (channels.isPending) return <PageLoading />;
  if (channels.isError) return <ErrorMessage message={describeError(channels.error)} onRetry={() => void channels.refetch()} />;
  return (
    <div className="page page-list">
      <div className="page-header">
        <h1 className="page-title">My channels</h1>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          <Icon name="add" /> Create a channel
        </button>
      </div>
      <p className="muted">Publish on separate channels for different topics. Choose the channel when you upload.</p>
      <ul className="my-channels" data-testid="my-channels">
        {channels.data.items.map((channel) => (
          <li key={channel.id} className="my-channel">
            <Link to={`/channel/${encodeURIComponent(channel.handle)}`} className="my-channel-link">
              <ChannelAvatar name={channel.name} avatarUrl={channel.avatarUrl} size={64} />
              <span>
                <span className="my-channel-name">{channel.name}</span>
                {channel.isDefault ? <span className="chip">Default</span> : null}
                <br />
                <span className="muted">
                  @{channel.handle} · {formatSubscriberCount(channel.subscriberCount)} · {channel.videoCount === 1 ? '1 video' : `${channel.videoCount} videos`}
                </span>
              </span>
            </Link>
          </li>
        ))}
      </ul>
      <Dialog open={creating} title="Create a channel" onClose={() => setCreating(false)}>
        <NewChannelForm
          onCancel={() => setCreating(false)}
          onCreated={(channel) => {
            setCreating(false);
            queryClient.setQueryData(channelKeys.channel(channel.handle), channel);
            void queryClient.invalidateQueries({ queryKey: channelKeys.myChannels });
            toast.show(`Created ${channel.name}`);
            void navigate(`/channel/${encodeURIComponent(channel.handle)}`);
          }}
        />
      </Dialog>
    </div>
  );
}

function NewChannelForm({ onCancel, onCreated }: { onCancel(): void; onCreated(channel: Channel): void }) {
  const [input, setInput] = useState<NewChannelInput>({ handle: '', name: '', description: '' });
  const [showErrors, setShowErrors] = useState(false);
  const errors = validateNewChannel(input);
  const create = useMutation({
    mutationFn: () =>
      channelsApi.createChannel({
        handle: input.handle.trim().replace(/^@/, ''),
        name: input.name.trim(),
        ...(input.description.trim() ? { description: input.description.trim() } : {}),
      }),
    onSuccess: onCreated,
  });
  const handleTaken = create.error instanceof ApiError && create.error.code === 'handle_taken';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setShowErrors(true);
    if (Object.keys(errors).length === 0) create.mutate();
  };
  const change = (field: keyof NewChannelInput) => (value: string) => setInput((current) => ({ ...current, [field]: value }));
  return (
    <form onSubmit={submit} noValidate data-testid="new-channel-form">
      {create.isError && !handleTaken ? <p className="form-error">{describeError(create.error)}</p> : null}
      <Field label="Name" error={showErrors ? errors.name : undefined} counter={`${input.name.trim().length}/${CHANNEL_NAME_MAX_LENGTH}`}>
        {(control) => <input {...control} name="name" value={input.name} autoFocus onChange={(event) => change('name')(event.target.value)} />}
      </Field>
      <Field
        label="Handle"
        hint="Your channel's address: /channel/handle. Letters, digits, _ . and -."
        error={handleTaken ? describeError(create.error) : showErrors ? errors.handle : undefined}
      >
        {(control) => <input {...control} name="handle" value={input.handle} autoComplete="off" onChange={(event) => change('handle')(event.target.value)} />}
      </Field>
      <Field label="Description" error={showErrors ? errors.description : undefined} counter={`${input.description.length}/${CHANNEL_DESCRIPTION_MAX_LENGTH}`}>
        {(control) => <textarea {...control} name="description" value={input.description} onChange={(event) => change('description')(event.target.value)} />}
      </Field>
      <div className="form-actions">
        <button type="button" className="button button-text" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create channel'}
        </button>
      </div>
    </form>
  );
}
