import { randomBytes } from 'node:crypto';
import type { Channel, CreateChannelBody, UpdateChannelBody } from '@tube/shared';
import type { AuthUser } from '../auth/auth.service.ts';
import { ImageRejectedError, type ImageProcessor, type ImageRejection } from '../infra/images/images.ts';
import { AppError, badRequest, conflict, forbidden, notFound } from '../infra/http/errors.ts';
import type { MediaUrls } from '../playback/media-urls.ts';
import { CHANNEL_IMAGE_SIZES, type ChannelImageKind } from './channel-images.ts';
import type { ChannelRepository, ChannelRow } from './channel.repository.ts';
import { isUniqueViolation } from '../infra/db/errors.ts';
import type { Config } from '../config.ts';
import type { Storage } from '../infra/storage/storage.ts';

const IMAGE_REJECTION_STATUS: Record<ImageRejection, number> = { unsupported_format: 415, too_many_pixels: 413, unreadable: 400, timed_out: 422 };

export class ChannelService {
  constructor(
    private readonly repo: ChannelRepository,
    private readonly urls: MediaUrls,
    private readonly storage: Storage,
    private readonly images: ImageProcessor,
    private readonly config: Pick<Config, 'MAX_CHANNELS_PER_USER'>,
  ) {}

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

  /** The channel's row by id or handle; a 404 when there is none. */
  async find(idOrHandle: string): Promise<ChannelRow> {
    const row = await this.repo.find(idOrHandle);
    if (!row) throw notFound('Channel not found');
    return row;
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
    if ((await this.repo.countOwnedBy(user.id)) >= this.config.MAX_CHANNELS_PER_USER) {
      throw conflict(`You already have ${this.config.MAX_CHANNELS_PER_USER} channels, the most one account may have`, 'channel_limit');
    }
    if (await this.repo.handleTaken(input.handle)) throw conflict('That handle is taken', 'handle_taken');
    let id: string;
    try {
      id = await this.repo.create({ userId: user.id, handle: input.handle, name: input.name.trim(), description: input.description ?? '' });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('That handle is taken', 'handle_taken');
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
    await this.repo.update(row.id, {
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
    });
    return this.get(row.id, user);
  }

  /** Resizes an uploaded image with ffmpeg and stores it; the previous image is removed. */
  async setImage(id: string, user: AuthUser, kind: ChannelImageKind, image: Buffer): Promise<Channel> {
    const row = await this.owned(id, user);
    if (image.length === 0) throw badRequest('The image is empty', 'invalid_image');
    let jpeg: Buffer;
    try {
      jpeg = await this.images.coverJpeg(image, CHANNEL_IMAGE_SIZES[kind]);
    } catch (error) {
      if (error instanceof ImageRejectedError) throw new AppError(IMAGE_REJECTION_STATUS[error.reason], 'invalid_image', error.message);
      throw error;
    }
    const key = `channels/${row.id}/${kind}-${randomBytes(6).toString('hex')}.jpg`;
    await this.storage.put(key, jpeg, 'image/jpeg');
    await this.repo.update(row.id, kind === 'avatar' ? { avatar_key: key } : { banner_key: key });
    const previous = kind === 'avatar' ? row.avatar_key : row.banner_key;
    if (previous) await this.storage.delete(previous).catch(() => undefined);
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
