import type { Video, VideoCategory, VideoLicence } from '@tube/shared';

export const CATEGORY_LABELS: Record<VideoCategory, string> = {
  film: 'Film & animation',
  autos: 'Autos & vehicles',
  music: 'Music',
  pets: 'Pets & animals',
  sports: 'Sports',
  travel: 'Travel & events',
  gaming: 'Gaming',
  people: 'People & blogs',
  comedy: 'Comedy',
  entertainment: 'Entertainment',
  news: 'News & politics',
  howto: 'How-to & style',
  education: 'Education',
  science: 'Science & technology',
  nonprofit: 'Nonprofits & activism',
};

export const LICENCE_LABELS: Record<VideoLicence, string> = {
  standard: 'Standard licence (all rights reserved)',
  'cc-by': 'Creative Commons — Attribution',
  'cc-by-sa': 'Creative Commons — Attribution-ShareAlike',
  'cc-by-nc': 'Creative Commons — Attribution-NonCommercial',
  cc0: 'Public domain (CC0)',
};

/** Common languages first; any BCP 47 tag is accepted by the API. */
export const LANGUAGE_OPTIONS: ReadonlyArray<{ tag: string; label: string }> = [
  { tag: 'en', label: 'English' },
  { tag: 'es', label: 'Spanish' },
  { tag: 'fr', label: 'French' },
  { tag: 'de', label: 'German' },
  { tag: 'pt', label: 'Portuguese' },
  { tag: 'pt-BR', label: 'Portuguese (Brazil)' },
  { tag: 'it', label: 'Italian' },
  { tag: 'nl', label: 'Dutch' },
  { tag: 'ja', label: 'Japanese' },
  { tag: 'ko', label: 'Korean' },
  { tag: 'zh', label: 'Chinese' },
  { tag: 'hi', label: 'Hindi' },
  { tag: 'ar', label: 'Arabic' },
  { tag: 'ru', label: 'Russian' },
];

/** A `datetime-local` input's value (local wall time, minutes) for an ISO instant, and back. */
export function toLocalInputValue(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInputValue(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** How the studio and channel page word a video's publishing state. */
export function publishingLabel(video: Pick<Video, 'draft' | 'scheduledAt' | 'visibility'>, now = Date.now()): string | null {
  if (video.scheduledAt) return `Scheduled · ${formatCountdown(video.scheduledAt, now)}`;
  if (video.draft) return 'Draft';
  return null;
}

/** "in 3 h 5 min", "in 2 days", "any moment now". */
export function formatCountdown(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds <= 30) return 'any moment now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `in ${hours} h ${minutes % 60} min` : `in ${hours} h`;
  return `in ${Math.round(hours / 24)} days`;
}

/** "1 h 02 min" / "4 min 05 s" for watch time. */
export function formatWatchTime(totalSeconds: number): string {
  const seconds = Math.round(totalSeconds);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  if (minutes > 0) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${seconds} s`;
}
