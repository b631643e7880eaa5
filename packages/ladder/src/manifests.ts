import { AUDIO_CHANNELS } from './transcode.ts';

/**
 * HLS playlists and the DASH manifest of the chunked pipeline, written from the measured segments rather
 * than by ffmpeg (each chunk's ffmpeg only knows its own piece). Published names match the one-process
 * pipeline: stream N (video rungs first, then audio) is `init-N.m4s`, `seg-N-00001.m4s`, `media_N.m3u8`.
 */

export const publishedNames = {
  init: (stream: number) => `init-${stream}.m4s`,
  segment: (stream: number, segmentNumber: number) => `seg-${stream}-${String(segmentNumber).padStart(5, '0')}.m4s`,
  mediaPlaylist: (stream: number) => `media_${stream}.m3u8`,
} as const;

/** One published media segment, as measured from its bytes (`fragmentTiming`). */
export interface SegmentRecord {
  number: number;
  /** Decode time of its first sample on the video's timeline, in the track's timescale. */
  startTicks: number;
  durationTicks: number;
  bytes: number;
}

export interface StreamRecord {
  /** Stream index in published names (video rungs 0…n-1, audio n). */
  stream: number;
  timescale: number;
  codecs: string;
  /** In segment order, without gaps (only the contiguous prefix of a growing stream is published). */
  segments: readonly SegmentRecord[];
}

export interface Bandwidth {
  /** Highest bits per second of any one segment. */
  peak: number;
  average: number;
}

/** Peak and average bit rate measured from segment sizes and durations (HLS BANDWIDTH / AVERAGE-BANDWIDTH). */
export function measureBandwidth(stream: Pick<StreamRecord, 'timescale' | 'segments'>): Bandwidth {
  let bits = 0;
  let ticks = 0;
  let peak = 0;
  for (const segment of stream.segments) {
    if (segment.durationTicks <= 0) continue;
    bits += segment.bytes * 8;
    ticks += segment.durationTicks;
    // A last segment of a few frames says little about the peak: it counts toward the average only.
    if (segment.durationTicks * 2 < Math.max(...stream.segments.map((other) => other.durationTicks))) continue;
    peak = Math.max(peak, (segment.bytes * 8 * stream.timescale) / segment.durationTicks);
  }
  const average = ticks > 0 ? (bits * stream.timescale) / ticks : 0;
  return { peak: Math.round(Math.max(peak, average)), average: Math.round(average) };
}

/**
 * A media playlist. While the video is still being encoded it is an EVENT playlist (segments are only
 * ever appended, players poll it); when the last chunk has landed it becomes VOD with EXT-X-ENDLIST.
 */
export function buildMediaPlaylist(stream: StreamRecord, options: { complete: boolean; targetDurationSeconds: number }): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7'];
  const longest = Math.max(options.targetDurationSeconds, ...stream.segments.map((segment) => segment.durationTicks / stream.timescale));
  lines.push(`#EXT-X-TARGETDURATION:${Math.round(longest)}`, '#EXT-X-MEDIA-SEQUENCE:1');
  lines.push(`#EXT-X-PLAYLIST-TYPE:${options.complete ? 'VOD' : 'EVENT'}`, '#EXT-X-INDEPENDENT-SEGMENTS');
  lines.push(`#EXT-X-MAP:URI="${publishedNames.init(stream.stream)}"`);
  for (const segment of stream.segments) {
    lines.push(`#EXTINF:${(segment.durationTicks / stream.timescale).toFixed(6)},`, publishedNames.segment(stream.stream, segment.number));
  }
  if (options.complete) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export interface MasterVariantInput {
  stream: number;
  width: number;
  height: number;
  frameRate: number;
  codecs: string;
  bandwidth: Bandwidth;
}

export interface MasterAudioInput {
  stream: number;
  codecs: string;
  bandwidth: Bandwidth;
}

/** The master playlist: one variant per rung (smallest first), all sharing one audio rendition. */
export function buildMasterPlaylist(variants: readonly MasterVariantInput[], audio: MasterAudioInput | null): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${AUDIO_CHANNELS}",URI="${publishedNames.mediaPlaylist(audio.stream)}"`,
    );
  }
  for (const variant of variants) {
    const peak = variant.bandwidth.peak + (audio?.bandwidth.peak ?? 0);
    const average = variant.bandwidth.average + (audio?.bandwidth.average ?? 0);
    const codecs = audio ? `${variant.codecs},${audio.codecs}` : variant.codecs;
    const attributes = [
      `BANDWIDTH=${peak}`,
      `AVERAGE-BANDWIDTH=${average}`,
      `RESOLUTION=${variant.width}x${variant.height}`,
      `FRAME-RATE=${variant.frameRate.toFixed(3)}`,
      `CODECS="${codecs}"`,
      ...(audio ? ['AUDIO="audio"'] : []),
    ];
    lines.push(`#EXT-X-STREAM-INF:${attributes.join(',')}`, publishedNames.mediaPlaylist(variant.stream));
  }
  return `${lines.join('\n')}\n`;
}

/** ISO 8601 duration as DASH writes it: PT1M2.345S. */
export function isoDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const rest = Math.round((totalSeconds - hours * 3600 - minutes * 60) * 1000) / 1000;
  return `PT${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest}S`;
}

/** `<S t d r>` runs: consecutive segments of equal duration are folded into one entry with a repeat count. */
function segmentTimeline(segments: readonly SegmentRecord[]): string {
  const entries: { t: number; d: number; r: number }[] = [];
  let expectedStart: number | null = null;
  for (const segment of segments) {
    const last = entries.at(-1);
    if (last && last.d === segment.durationTicks && expectedStart === segment.startTicks) last.r += 1;
    else entries.push({ t: segment.startTicks, d: segment.durationTicks, r: 0 });
    expectedStart = segment.startTicks + segment.durationTicks;
  }
  return entries.map((entry) => `<S t="${entry.t}" d="${entry.d}"${entry.r ? ` r="${entry.r}"` : ''}/>`).join('');
}

function representation(stream: StreamRecord, attributes: string): string {
  const bandwidth = measureBandwidth(stream).peak;
  return (
    `      <Representation id="${stream.stream}" ${attributes} bandwidth="${bandwidth}" codecs="${stream.codecs}">\n` +
    `        <SegmentTemplate timescale="${stream.timescale}" initialization="init-$RepresentationID$.m4s" media="seg-$RepresentationID$-$Number%05d$.m4s" startNumber="1">\n` +
    `          <SegmentTimeline>${segmentTimeline(stream.segments)}</SegmentTimeline>\n` +
    '        </SegmentTemplate>\n' +
    '      </Representation>\n'
  );
}

export interface DashVideoInput extends StreamRecord {
  width: number;
  height: number;
  frameRate: number;
  /** Sample aspect ratio "num/den" (rungSampleAspectRatio). */
  sar: string;
}

/**
 * A static MPD over the same segments, written only once every chunk exists: dash.js and Shaka do not
 * cope with an MPD switching from dynamic to static during playback.
 */
export function buildDashManifest(input: { durationSeconds: number; video: readonly DashVideoInput[]; audio: StreamRecord | null }): string {
  const duration = isoDuration(input.durationSeconds);
  let xml =
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="${duration}" minBufferTime="PT2S">\n` +
    `  <Period id="0" start="PT0S">\n` +
    '    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">\n';
  for (const video of input.video) {
    xml += representation(
      video,
      `width="${video.width}" height="${video.height}" frameRate="${video.frameRate.toFixed(3)}" sar="${video.sar.replace('/', ':')}"`,
    );
  }
  xml += '    </AdaptationSet>\n';
  if (input.audio) {
    xml += '    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="und">\n';
    xml += representation(input.audio, `audioSamplingRate="48000"`);
    xml += '    </AdaptationSet>\n';
  }
  return `${xml}  </Period>\n</MPD>\n`;
}
