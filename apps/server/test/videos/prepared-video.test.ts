import { describe, expect, it } from 'vitest';
import type { Playback, Video } from '@tube/shared';
import { decodePreparedVideo, encodePreparedVideo, jsonEtag, LocalVideoCache, prepareVideo } from '../../src/videos/video-cache.ts';

const video: Video = {
  id: '3f1c1f9e-0000-4000-8000-000000000001',
  title: 'A title with "quotes"\nand a newline',
  description: 'Line one\nline two',
  visibility: 'public',
  status: 'ready',
  error: null,
  progress: null,
  rungProgress: [],
  etaSeconds: null,
  queuePosition: null,
  processingStart: null,
  processingStartNote: null,
  durationSeconds: 3,
  width: 320,
  height: 240,
  renditions: [{ name: '240p', width: 320, height: 240, bandwidth: 400_000, codecs: 'avc1.64000d,mp4a.40.2', frameRate: 25 }],
  thumbnailUrl: '/media/videos/x/y/poster.jpg',
  storyboard: null,
  playback: { hls: '/media/videos/x/y/master.m3u8', dash: '/media/videos/x/y/manifest.mpd' },
  tags: ['a'],
  viewCount: 1,
  likeCount: 0,
  dislikeCount: 0,
  commentCount: 0,
  commentsEnabled: true,
  channel: { id: 'c', handle: 'h', name: 'n' },
  createdAt: new Date(0).toISOString(),
  publishedAt: new Date(0).toISOString(),
  draft: false,
  scheduledAt: new Date(86_400_000).toISOString(),
  scheduledVisibility: 'unlisted',
  category: 'music',
  language: 'pt-BR',
  licence: 'cc-by',
  commentsPolicy: 'held',
  allowDownloads: true,
};
const playback: Playback = {
  videoId: video.id,
  hls: '/media/videos/x/y/master.m3u8',
  dash: '/media/videos/x/y/manifest.mpd',
  thumbnails: { poster: '/media/videos/x/y/poster.jpg', storyboardSprite: null },
  storyboardVtt: null,
  durationSeconds: 3,
  renditions: video.renditions,
  expiresAt: null,
};

describe('prepared video entries', () => {
  it('round-trip through the shared-cache format with their bodies and ETags unchanged', () => {
    const prepared = prepareVideo(video, 'owner', false, playback);
    const decoded = decodePreparedVideo(encodePreparedVideo(prepared));
    expect(decoded).toEqual(prepared);
    expect(decoded!.video.etag).toBe(jsonEtag(decoded!.video.body));
    expect(JSON.parse(decoded!.video.body)).toMatchObject({ title: video.title, description: video.description, renditions: video.renditions });
    expect(JSON.parse(decoded!.playback!.body)).toEqual(playback);
  });

  it('keep the creator fields (scheduling, metadata, comments policy) in the serialized body', () => {
    const body = JSON.parse(decodePreparedVideo(encodePreparedVideo(prepareVideo(video, 'owner', false, playback)))!.video.body) as Video;
    expect(body).toMatchObject({
      draft: false,
      scheduledAt: video.scheduledAt,
      scheduledVisibility: 'unlisted',
      category: 'music',
      language: 'pt-BR',
      licence: 'cc-by',
      commentsPolicy: 'held',
      allowDownloads: true,
      thumbnailUrl: video.thumbnailUrl,
    });
  });

  it('treat an entry of the previous format (a bare JSON object) and garbage as a miss', () => {
    expect(decodePreparedVideo(JSON.stringify({ video, userId: 'owner', playback, hidden: false }))).toBeNull();
    expect(decodePreparedVideo('not json\n{}\n')).toBeNull();
  });

  it('keep no local copy loaded before an invalidation, and none at all with a TTL of 0', () => {
    const local = new LocalVideoCache(5, 100);
    const prepared = prepareVideo(video, 'owner', false, playback);
    const before = local.currentGeneration;
    local.delete(video.id);
    local.set(prepared, before);
    expect(local.get(video.id)).toBeUndefined();
    local.set(prepared);
    expect(local.get(video.id)).toBe(prepared);
    const off = new LocalVideoCache(0, 100);
    off.set(prepared);
    expect(off.get(video.id)).toBeUndefined();
  });
});

describe('anonymous answers', () => {
  it('exist only for what anonymous viewers may see, with the Cache-Control the routes send, and survive the cache format', () => {
    const open = prepareVideo(video, 'u', false, playback);
    expect(open.anonymous?.video).toEqual({ ...open.video, cacheControl: 'public, max-age=10' });
    expect(open.anonymous?.playback?.cacheControl).toBe('public, max-age=30');
    expect(decodePreparedVideo(encodePreparedVideo(open))?.anonymous).toEqual(open.anonymous);
    expect(encodePreparedVideo(open)).not.toContain('cacheControl');

    expect(prepareVideo({ ...video, visibility: 'private' }, 'u', false, playback).anonymous).toBeNull();
    expect(prepareVideo(video, 'u', true, playback).anonymous).toBeNull();
    expect(prepareVideo({ ...video, status: 'processing' }, 'u', false, null).anonymous).toBeNull();
    const unlisted = prepareVideo({ ...video, visibility: 'unlisted' }, 'u', false, { ...playback, expiresAt: new Date(0).toISOString() });
    expect(unlisted.anonymous?.video.cacheControl).toBe('private, no-cache');
    expect(unlisted.anonymous?.playback?.cacheControl).toBe('private, max-age=30');
  });
});
