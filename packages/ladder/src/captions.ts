/**
 * Captions in the published manifests: an HLS SUBTITLES group (one single-segment WebVTT media playlist per
 * language) and a DASH text adaptation set per language. Both rewrites are idempotent: they first remove
 * the captions they wrote before, so the manifests can be rewritten whenever captions change.
 */

export interface CaptionTrack {
  /** BCP 47, e.g. `en`, `pt-BR`. */
  language: string;
  /** Shown in players' menus, e.g. `English`. */
  label: string;
  /** The WebVTT file, next to the manifests. */
  vttFile: string;
  /** Its HLS media playlist, next to the manifests. */
  playlistFile: string;
}

export const HLS_SUBTITLE_GROUP = 'subs';

/** A quoted-string attribute value may not hold `"` or line breaks (RFC 8216 §4.2). */
const hlsQuoted = (text: string) => `"${text.replace(/["\r\n]/g, "'")}"`;
const xmlEscape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

/** The media playlist of one caption file: the whole file as one segment as long as the video. */
export function captionPlaylist(vttFile: string, durationSeconds: number): string {
  const duration = Math.max(0.001, durationSeconds);
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(duration)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${duration.toFixed(3)},`,
    vttFile,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

const SUBTITLES_ATTRIBUTE = new RegExp(`,?SUBTITLES="${HLS_SUBTITLE_GROUP}"`);

/** The master playlist with exactly `tracks` as its subtitles group (none: the group is removed). */
export function withHlsCaptions(master: string, tracks: readonly CaptionTrack[]): string {
  const lines = master.split(/\r?\n/).filter((line) => line.trim() !== '');
  const kept = lines.filter(
    (line) => !(line.startsWith('#EXT-X-MEDIA:') && line.includes('TYPE=SUBTITLES') && line.includes(`GROUP-ID="${HLS_SUBTITLE_GROUP}"`)),
  );
  const output: string[] = [];
  let mediaWritten = false;
  for (const line of kept) {
    if (line.startsWith('#EXT-X-STREAM-INF:')) {
      if (!mediaWritten) {
        for (const track of tracks) {
          output.push(
            `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${HLS_SUBTITLE_GROUP}",NAME=${hlsQuoted(track.label)},LANGUAGE=${hlsQuoted(track.language)},DEFAULT=NO,AUTOSELECT=NO,FORCED=NO,URI=${hlsQuoted(track.playlistFile)}`,
          );
        }
        mediaWritten = true;
      }
      const withoutGroup = line.replace(SUBTITLES_ATTRIBUTE, '').replace('#EXT-X-STREAM-INF:,', '#EXT-X-STREAM-INF:');
      output.push(tracks.length > 0 ? `${withoutGroup},SUBTITLES="${HLS_SUBTITLE_GROUP}"` : withoutGroup);
    } else {
      output.push(line);
    }
  }
  return `${output.join('\n')}\n`;
}

/** The DASH manifest with exactly `tracks` as text adaptation sets in its (single) Period. */
export function withDashCaptions(mpd: string, tracks: readonly CaptionTrack[]): string {
  const withoutText = mpd.replace(/[ \t]*<AdaptationSet\b[^>]*contentType="text"[\s\S]*?<\/AdaptationSet>\r?\n?/g, '');
  if (tracks.length === 0) return withoutText;
  const sets = tracks
    .map((track) =>
      [
        `\t\t<AdaptationSet contentType="text" mimeType="text/vtt" lang="${xmlEscape(track.language)}">`,
        `\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>`,
        `\t\t\t<Label>${xmlEscape(track.label)}</Label>`,
        `\t\t\t<Representation id="caption-${xmlEscape(track.language)}" bandwidth="256">`,
        `\t\t\t\t<BaseURL>${xmlEscape(track.vttFile)}</BaseURL>`,
        `\t\t\t</Representation>`,
        `\t\t</AdaptationSet>`,
      ].join('\n'),
    )
    .join('\n');
  const periodEnd = withoutText.lastIndexOf('</Period>');
  if (periodEnd === -1) throw new Error('DASH manifest has no Period');
  const lineStart = withoutText.lastIndexOf('\n', periodEnd) + 1;
  return `${withoutText.slice(0, lineStart)}${sets}\n${withoutText.slice(lineStart)}`;
}
