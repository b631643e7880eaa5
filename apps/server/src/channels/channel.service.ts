import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Channel, CreateChannelBody, UpdateChannelBody } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import type { Infra } from '../infra/infra.ts';
import { resolveFfmpeg, runProcess, type FfmpegBinaries } from '../infra/ffmpeg/ffmpeg.ts';
import { badRequest, conflict, forbidden, notFound } from '../infra/http/errors.ts';
import type { MediaUrls } from '../playback/media-urls.ts';
import { buildChannelImageArgs, type ChannelImageKind } from './channel-images.ts';
import { ChannelRepository, type ChannelRow } from './channel.repository.ts';

export class ChannelService {
  readonly repo: ChannelRepository;
  private binaries: FfmpegBinaries | null = null;

  constructor(
    private readonly infra: Infra,
    private readonly urls: MediaUrls,
  ) {
    this.repo = new ChannelRepository(infra.db);
  }

  /** Channel art is public and content-addressed by a random file name, so it is cached forever. */
  private imageUrl(key: string | null): string | null {
    return this.urls.assetUrl(key);
  }

  toDto(row: ChannelRow, subscribed: boolean | null): Channel {
    return {
      id: row.id,
      handle: row.handle,
      name: row.name,
      description: row.description,
      avatarUrl: this.imageUrl(row.avatar_key),
      bannerUrl: this.imageUrl(row.banner_key),
      subscriberCount: Number(row.subscriber_count),
      videoCount: Number(row.video_count ?? 0),
      owner: { id: row.user_id, username: row.owner_username },
      isDefault: row.is_default,
      subscribed,
      createdAt: row.created_at.toISOString(),
    };
  }

  async get(idOrHandle: string, viewer: AuthUser | null): Promise<Channel> {
    const row = await this.repo.find(idOrHandle);
    if (!row) throw notFound('Channel not found');
    return this.toDto(row, viewer ? await this.repo.isSubscribed(viewer.id, row.id) : null);
  }

  async listMine(user: AuthUser): Promise<Channel[]> {
    return (await this.repo.listByUser(user.id)).map((row) => this.toDto(row, null));
  }

  async listSubscriptions(user: AuthUser): Promise<Channel[]> {
    return (await this.repo.listSubscribedBy(user.id)).map((row) => this.toDto(row, true));
  }

  async create(user: AuthUser, input: CreateChannelBody): Promise<Channel> {
    if ((await this.repo.countOwnedBy(user.id)) >= this.infra.config.MAX_CHANNELS_PER_USER) {
      throw conflict(`You already have ${this.infra.config.MAX_CHANNELS_PER_USER} channels, the most one account may have`, 'channel_limit');
    }
    if (await this.repo.handleTaken(input.handle)) throw conflict('That handle is taken', 'handle_taken');
    let id: string;
    try {
      id = await this.repo.create({ userId: user.id, handle: input.handle, name: input.name.trim(), description: input.description ?? '' });
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw conflict('That handle is taken', 'handle_taken');
      throw error;
    }
    return this.get(id, user);
  }

  private async owned(id: string, user: AuthUser): Promise<ChannelRow> {
    const row = await this.repo.find(id);
    if (!row) throw notFound('Channel not found');
    if (row.user_id !== user.id && user.role !== 'admin') throw forbidden('Only the channel’s owner can change it');
    return row;
  }

  async update(id: string, user: AuthUser, input: UpdateChannelBody): Promise<Channel> {
    const row = await this.owned(id, user);
    await this.repo.update(row.id, { ...(input.name !== undefined ? { name: input.name.trim() } : {}), ...(input.description !== undefined ? { description: input.description } : {}) });
    return this.get(row.id, user);
  }

  /** Resizes an uploaded image with ffmpeg and stores it; the previous image is removed. */
  async setImage(id: string, user: AuthUser, kind: ChannelImageKind, image: Buffer): Promise<Channel> {
    const row = await this.owned(id, user);
    if (image.length === 0) throw badRequest('The image is empty', 'invalid_image');
    this.binaries ??= resolveFfmpeg(this.infra.config);
    const dir = await mkdtemp(path.join(tmpdir(), 'tube-image-'));
    try {
      const input = path.join(dir, 'input');
      const output = path.join(dir, `${kind}.jpg`);
      await writeFile(input, image);
      try {
        await runProcess(this.binaries.ffmpeg, buildChannelImageArgs(input, output, kind));
      } catch {
        throw badRequest('That file is not an image Tube can read (use JPEG, PNG or WebP)', 'invalid_image');
      }
      const key = `channels/${row.id}/${kind}-${randomBytes(6).toString('hex')}.jpg`;
      await this.infra.storage.putFile(key, output, 'image/jpeg');
      await this.repo.update(row.id, kind === 'avatar' ? { avatar_key: key } : { banner_key: key });
      const previous = kind === 'avatar' ? row.avatar_key : row.banner_key;
      if (previous) await this.infra.storage.delete(previous).catch(() => undefined);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return this.get(row.id, user);
  }

  async subscribe(channelId: string, user: AuthUser, subscribed: boolean): Promise<Channel> {
    const row = await this.repo.find(channelId);
    if (!row) throw notFound('Channel not found');
    if (subscribed && row.user_id === user.id) throw badRequest('You cannot subscribe to your own channel', 'own_channel');
    await this.repo.setSubscription(user.id, row.id, subscribed);
    return this.get(row.id, user);
  }
}
