/**
 * The download rendition: one progressive MP4 (H.264/AAC, moov first) remuxed from the published CMAF streams of
 * the best rung and the audio, with no re-encode. Both pipelines publish the same HLS files (a master naming
 * `media_N.m3u8` playlists whose `EXT-X-MAP` and segments are `init-N.m4s` / `seg-N-…m4s`), so the planning here
 * reads only those playlists and needs no knowledge of how the video was transcoded.
 */

/** Published media file names are plain names inside the video's prefix: never a path, a URL or a query. */
const PLAIN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;

export interface DownloadStreams {
  /** Media playlist of the tallest (then highest bandwidth) video variant. */
  video: string;
  /** Media playlist of the audio rendition, null for a video without sound. */
  audio: string | null;
  width: number;
  height: number;
}

function attributes(list: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const match of list.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) map.set(match[1]!, match[2]!.replace(/^"|"$/g, ''));
  return map;
}

function plainName(uri: string, what: string): string {
  if (!PLAIN_NAME.test(uri)) throw new Error(`${what} is not a published file name: ${JSON.stringify(uri)}`);
  return uri;
}

/** Picks the streams of the download from an HLS master: the best video variant and the audio it plays with. */
export function pickDownloadStreams(master: string): DownloadStreams {
  const lines = master.split(/\r?\n/).map((line) => line.trim());
  const audioGroups = new Map<string, string>();
  let best: { uri: string; width: number; height: number; bandwidth: number; audioGroup: string | null } | null = null;
  for (const [index, line] of lines.entries()) {
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const media = attributes(line.slice('#EXT-X-MEDIA:'.length));
      const uri = media.get('URI');
      const group = media.get('GROUP-ID') ?? '';
      // The first (default) rendition of each audio group; captions (TYPE=SUBTITLES) are not part of the MP4.
      if (media.get('TYPE') === 'AUDIO' && uri && !audioGroups.has(group)) audioGroups.set(group, uri);
    } else if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const variant = attributes(line.slice('#EXT-X-STREAM-INF:'.length));
      const [width = 0, height = 0] = (variant.get('RESOLUTION') ?? '0x0').split('x').map(Number);
      const bandwidth = Number(variant.get('BANDWIDTH') ?? 0);
      if (!best || height > best.height || (height === best.height && bandwidth > best.bandwidth)) {
        best = { uri: lines[index + 1] ?? '', width, height, bandwidth, audioGroup: variant.get('AUDIO') ?? null };
      }
    }
  }
  if (!best) throw new Error('the HLS master lists no video variant');
  const chosen = best;
  const audio = chosen.audioGroup === null ? null : (audioGroups.get(chosen.audioGroup) ?? null);
  return {
    video: plainName(chosen.uri, 'the video playlist'),
    audio: audio === null ? null : plainName(audio, 'the audio playlist'),
    width: chosen.width,
    height: chosen.height,
  };
}

export interface MediaPlaylistFiles {
  /** The initialization segment (`EXT-X-MAP`). */
  init: string;
  /** Media segments in playback order. */
  segments: string[];
}

/**
 * The files of one complete CMAF media playlist. A playlist that is still growing (no EXT-X-ENDLIST: the chunked
 * pipeline while `playable`) is refused, so a download never stops short of the end.
 */
export function parseMediaPlaylist(text: string): MediaPlaylistFiles {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const map = lines.find((line) => line.startsWith('#EXT-X-MAP:'));
  const init = map ? attributes(map.slice('#EXT-X-MAP:'.length)).get('URI') : undefined;
  if (!init) throw new Error('the media playlist has no initialization segment (EXT-X-MAP)');
  if (!lines.includes('#EXT-X-ENDLIST')) throw new Error('the media playlist is not complete (no EXT-X-ENDLIST)');
  const segments = lines.filter((line) => !line.startsWith('#')).map((uri) => plainName(uri, 'a media segment'));
  if (segments.length === 0) throw new Error('the media playlist lists no segments');
  return { init: plainName(init, 'the initialization segment'), segments };
}

export interface DownloadRemuxRequest {
  /** Fragmented MP4 of the video stream: its init segment followed by every media segment. */
  video: string;
  /** The same for the audio stream, or null. */
  audio: string | null;
  output: string;
}

/**
 * ffmpeg arguments that remux the concatenated fragments into one progressive MP4: streams copied as they are
 * (no decode, no encode), the index moved to the front (`+faststart`) so a player or browser can start playing
 * before the whole file has arrived.
 */
export function buildDownloadRemuxArgs(request: DownloadRemuxRequest): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-protocol_whitelist', 'file', '-i', request.video];
  if (request.audio) args.push('-protocol_whitelist', 'file', '-i', request.audio);
  args.push('-map', '0:v:0');
  if (request.audio) args.push('-map', '1:a:0');
  args.push('-c', 'copy', '-map_metadata', '-1', '-map_chapters', '-1', '-movflags', '+faststart', '-f', 'mp4', request.output);
  return args;
}
