import { describe, expect, it } from 'vitest';
import {
  CreateChannelBody,
  CreateCommentBody,
  CreatePlaylistBody,
  CreateReportBody,
  HANDLE_PATTERN as SERVER_HANDLE_PATTERN,
  UpdateChannelBody,
  type Channel,
  type Comment,
  type CommentPage,
  type Notification,
} from '@tube/shared';
import { applyRating, ratingAfterPress } from '../src/lib/rating.ts';
import { formatSubscriberCount, withSubscription } from '../src/lib/subscription.ts';
import { appendReply, changeTotal, prependComment, removeComment, updateComment, withLike, type CommentPages } from '../src/lib/comment-pages.ts';
import { moveItem, nextInPlaylist } from '../src/lib/playlist-order.ts';
import { nextHighlightedIndex } from '../src/lib/list-navigation.ts';
import { countActiveFilters, readSearchFilters, searchParamsFor } from '../src/lib/search-filters.ts';
import { describeNotification, formatUnreadBadge, notificationLink } from '../src/lib/notifications.ts';
import {
  CHANNEL_DESCRIPTION_MAX_LENGTH,
  CHANNEL_NAME_MAX_LENGTH,
  checkChannelImage,
  COMMENT_MAX_LENGTH,
  HANDLE_PATTERN,
  PLAYLIST_DESCRIPTION_MAX_LENGTH,
  PLAYLIST_TITLE_MAX_LENGTH,
  REPORT_DETAILS_MAX_LENGTH,
  validateNewChannel,
} from '../src/lib/community-rules.ts';
import { FIRST_SAVE_AFTER_SECONDS, ProgressSaver, SAVE_INTERVAL_SECONDS } from '../src/player/progress-saver.ts';

describe('ratings', () => {
  it('pressing the active button takes the rating back; the other one switches', () => {
    expect(ratingAfterPress('none', 'like')).toBe('like');
    expect(ratingAfterPress('like', 'like')).toBe('none');
    expect(ratingAfterPress('like', 'dislike')).toBe('dislike');
    expect(ratingAfterPress('dislike', 'dislike')).toBe('none');
  });

  it('moves one vote between the counts', () => {
    const start = { likeCount: 4, dislikeCount: 1, myRating: 'none' as const };
    const liked = applyRating(start, 'like');
    expect(liked).toEqual({ likeCount: 5, dislikeCount: 1, myRating: 'like' });
    const disliked = applyRating(liked, 'dislike');
    expect(disliked).toEqual({ likeCount: 4, dislikeCount: 2, myRating: 'dislike' });
    expect(applyRating(disliked, 'none')).toEqual(start);
    expect(applyRating(liked, 'like')).toEqual(liked);
  });

  it('never shows a negative count when the cached count was stale', () => {
    expect(applyRating({ likeCount: 0, dislikeCount: 0, myRating: 'like' }, 'none')).toEqual({ likeCount: 0, dislikeCount: 0, myRating: 'none' });
  });
});

const channel: Channel = {
  id: 'c1',
  handle: 'alice',
  name: 'Alice',
  description: '',
  avatarUrl: null,
  bannerUrl: null,
  subscriberCount: 0,
  videoCount: 1,
  owner: { id: 'u1', username: 'alice' },
  isDefault: true,
  subscribed: false,
  createdAt: '2025-01-01T00:00:00.000Z',
};

describe('subscriptions', () => {
  it('counts the viewer in and out once', () => {
    const subscribed = withSubscription(channel, true);
    expect(subscribed).toMatchObject({ subscribed: true, subscriberCount: 1 });
    expect(withSubscription(subscribed, true)).toBe(subscribed);
    expect(withSubscription(subscribed, false)).toMatchObject({ subscribed: false, subscriberCount: 0 });
  });

  it('words the count', () => {
    expect(formatSubscriberCount(0)).toBe('0 subscribers');
    expect(formatSubscriberCount(1)).toBe('1 subscriber');
    expect(formatSubscriberCount(1530)).toBe('1.5K subscribers');
  });
});

function comment(id: string, fields: Partial<Comment> = {}): Comment {
  return {
    id,
    videoId: 'v1',
    parentId: null,
    body: `comment ${id}`,
    author: { id: 'u2', username: 'bob', channelHandle: 'bob', avatarUrl: null },
    likeCount: 0,
    replyCount: 0,
    likedByMe: false,
    canEdit: false,
    canDelete: false,
    createdAt: '2025-01-01T00:00:00.000Z',
    editedAt: null,
    ...fields,
  };
}

function pages(...lists: Array<{ ids: string[]; next: string | null }>): CommentPages {
  const total = 10;
  const result: CommentPage[] = lists.map((list) => ({ items: list.ids.map((id) => comment(id)), nextCursor: list.next, total }));
  return { pages: result, pageParams: lists.map((_, index) => (index === 0 ? null : `cursor${index}`)) };
}

const ids = (data: CommentPages | undefined) => data?.pages.map((page) => page.items.map((item) => item.id));

describe('cached comment pages', () => {
  it('puts a new comment first and counts it', () => {
    const data = prependComment(pages({ ids: ['a', 'b'], next: 'x' }, { ids: ['c'], next: null }), comment('new'));
    expect(ids(data)).toEqual([['new', 'a', 'b'], ['c']]);
    expect(data?.pages.map((page) => page.total)).toEqual([11, 11]);
    expect(prependComment(undefined, comment('new'))).toBeUndefined();
  });

  it('adds a reply at the end only once every page is loaded', () => {
    const complete = appendReply(pages({ ids: ['r1'], next: null }), comment('r2'));
    expect(ids(complete)).toEqual([['r1', 'r2']]);
    const partial = appendReply(pages({ ids: ['r1'], next: 'more' }), comment('r2'));
    expect(ids(partial)).toEqual([['r1']]);
    expect(partial?.pages[0]?.total).toBe(11);
  });

  it('updates, likes and removes a comment wherever it is', () => {
    const data = pages({ ids: ['a'], next: 'x' }, { ids: ['b', 'c'], next: null });
    const liked = updateComment(data, 'b', (item) => withLike(item, true));
    expect(liked?.pages[1]?.items[0]).toMatchObject({ id: 'b', likedByMe: true, likeCount: 1 });
    expect(withLike(withLike(comment('z'), true), false)).toMatchObject({ likedByMe: false, likeCount: 0 });
    const removed = removeComment(liked, 'b', 3);
    expect(ids(removed)).toEqual([['a'], ['c']]);
    expect(removed?.pages[0]?.total).toBe(7);
    expect(removeComment(removed, 'missing', 1)).toBe(removed);
    expect(changeTotal(removed, -10)?.pages[0]?.total).toBe(0);
  });
});

describe('playlist order', () => {
  it('moves an item up or down, clamped to the ends, without touching the input', () => {
    const list = ['a', 'b', 'c'];
    expect(moveItem(list, 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(list, 1, 1)).toEqual(['a', 'c', 'b']);
    expect(moveItem(list, 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(list, 2, 5)).toEqual(['a', 'b', 'c']);
    expect(moveItem(list, 7, 1)).toEqual(['a', 'b', 'c']);
    expect(list).toEqual(['a', 'b', 'c']);
  });

  it('finds the next video to play', () => {
    expect(nextInPlaylist(['a', 'b', 'c'], 'a')).toBe('b');
    expect(nextInPlaylist(['a', 'b', 'c'], 'c')).toBeNull();
    expect(nextInPlaylist(['a', 'b'], 'x')).toBeNull();
  });
});

describe('suggestion list keys', () => {
  it('moves through the options and back to the text box', () => {
    expect(nextHighlightedIndex(-1, 3, 'ArrowDown')).toBe(0);
    expect(nextHighlightedIndex(2, 3, 'ArrowDown')).toBe(-1);
    expect(nextHighlightedIndex(-1, 3, 'ArrowUp')).toBe(2);
    expect(nextHighlightedIndex(0, 3, 'ArrowUp')).toBe(-1);
    expect(nextHighlightedIndex(-1, 0, 'ArrowDown')).toBe(-1);
  });
});

describe('search filters in the URL', () => {
  it('keeps known values, drops unknown ones and defaults', () => {
    expect(readSearchFilters(new URLSearchParams('q=x&duration=short&uploaded=week&sort=views'))).toEqual({
      duration: 'short',
      uploaded: 'week',
      sort: 'views',
    });
    expect(readSearchFilters(new URLSearchParams('q=x&duration=forever&sort=relevance&type=videos'))).toEqual({});
  });

  it('applies length and date to videos only', () => {
    expect(readSearchFilters(new URLSearchParams('type=channels&duration=long&uploaded=today&sort=date'))).toEqual({ type: 'channels', sort: 'date' });
  });

  it('writes them back and counts them', () => {
    const filters = { duration: 'medium' as const, sort: 'date' as const };
    expect(searchParamsFor('cats & dogs', filters).toString()).toBe('q=cats+%26+dogs&duration=medium&sort=date');
    expect(readSearchFilters(searchParamsFor('cats', filters))).toEqual(filters);
    expect(countActiveFilters(filters)).toBe(2);
    expect(countActiveFilters({})).toBe(0);
  });
});

describe('notifications', () => {
  const base: Notification = {
    id: 'n1',
    kind: 'video_published',
    createdAt: '2025-01-01T00:00:00.000Z',
    read: false,
    video: { id: 'v1', title: 'Holiday video', thumbnailUrl: null, durationSeconds: 4 },
    channel: { id: 'c1', handle: 'alice', name: 'Alice' },
    reason: null,
  };

  it('describes each kind', () => {
    expect(describeNotification(base)).toBe('Alice uploaded: Holiday video');
    expect(describeNotification({ ...base, kind: 'video_ready' })).toBe('Your video “Holiday video” is ready to watch');
    expect(describeNotification({ ...base, kind: 'video_failed', reason: 'The file has no video stream' })).toBe(
      'Processing failed for “Holiday video”: The file has no video stream',
    );
  });

  it('links to the video, or to Studio for failures', () => {
    expect(notificationLink(base)).toBe('/watch/v1');
    expect(notificationLink({ ...base, kind: 'video_failed' })).toBe('/studio?edit=v1');
    expect(notificationLink({ ...base, video: null })).toBeNull();
  });

  it('shortens big counts on the badge', () => {
    expect(formatUnreadBadge(7)).toBe('7');
    expect(formatUnreadBadge(100)).toBe('99+');
  });
});

describe('community rules mirror the shared schemas', () => {
  const keyword = (schema: object, name: string): unknown => (schema as Record<string, unknown>)[name];

  it('uses the same limits as the server', () => {
    expect(HANDLE_PATTERN).toBe(SERVER_HANDLE_PATTERN);
    expect(CHANNEL_NAME_MAX_LENGTH).toBe(keyword(CreateChannelBody.properties.name, 'maxLength'));
    expect(CHANNEL_NAME_MAX_LENGTH).toBe(keyword(UpdateChannelBody.properties.name, 'maxLength'));
    expect(CHANNEL_DESCRIPTION_MAX_LENGTH).toBe(keyword(CreateChannelBody.properties.description, 'maxLength'));
    expect(PLAYLIST_TITLE_MAX_LENGTH).toBe(keyword(CreatePlaylistBody.properties.title, 'maxLength'));
    expect(PLAYLIST_DESCRIPTION_MAX_LENGTH).toBe(keyword(CreatePlaylistBody.properties.description, 'maxLength'));
    expect(COMMENT_MAX_LENGTH).toBe(keyword(CreateCommentBody.properties.body, 'maxLength'));
    expect(REPORT_DETAILS_MAX_LENGTH).toBe(keyword(CreateReportBody.properties.details, 'maxLength'));
  });

  it('checks a new channel before sending it', () => {
    expect(validateNewChannel({ handle: '@travel.alice', name: 'Travels', description: '' })).toEqual({});
    expect(validateNewChannel({ handle: 'a', name: ' ', description: 'x'.repeat(1001) })).toEqual({
      handle: 'Use 3 to 32 characters.',
      name: 'Enter a name.',
      description: 'Use at most 1000 characters.',
    });
    expect(validateNewChannel({ handle: '-bad', name: 'x', description: '' }).handle).toMatch(/start with/);
  });

  it('accepts only images the server can take', () => {
    expect(checkChannelImage('image/png', 1000)).toBeNull();
    expect(checkChannelImage('image/svg+xml', 1000)).toBe('Choose a JPEG, PNG or WebP image.');
    expect(checkChannelImage('image/jpeg', 9 * 1024 * 1024)).toBe('Choose an image under 8 MB.');
  });
});

describe('ProgressSaver', () => {
  function recorder() {
    const saves: Array<{ position: number; leaving: boolean }> = [];
    const saver = new ProgressSaver((position, leaving) => saves.push({ position, leaving }));
    return { saves, saver };
  }

  it('saves a few seconds in, then every interval while playing', () => {
    const { saves, saver } = recorder();
    for (let ms = 0; ms <= 30_000; ms += 250) saver.recordPlaying(ms / 1000, ms);
    expect(saves.map((save) => save.position)).toEqual([
      FIRST_SAVE_AFTER_SECONDS,
      FIRST_SAVE_AFTER_SECONDS + SAVE_INTERVAL_SECONDS,
      FIRST_SAVE_AFTER_SECONDS + 2 * SAVE_INTERVAL_SECONDS,
    ]);
  });

  it('saves where playback stops and when leaving, but never the same spot twice', () => {
    const { saves, saver } = recorder();
    saver.recordPlaying(0.5, 0);
    saver.recordPlaying(1.5, 1000);
    saver.recordStopped(1.52, 1100);
    saver.recordStopped(1.52, 1200);
    saver.flush(1300);
    expect(saves).toEqual([{ position: 1.5, leaving: false }]);
    saver.recordPlaying(2, 5000);
    saver.flush(5100);
    expect(saves.at(-1)).toEqual({ position: 2, leaving: true });
  });

  it('saves nothing for a video that never played', () => {
    const { saves, saver } = recorder();
    saver.recordStopped(0, 0);
    saver.flush(100);
    expect(saves).toEqual([]);
  });
});
