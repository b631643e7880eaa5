import { describe, expect, it } from 'vitest';
import {
  buildAudioArgs,
  finishedAudioSegments,
  countFramesArgs,
  buildChunkArgs,
  buildDashManifest,
  buildMasterPlaylist,
  buildMediaPlaylist,
  chunkDecodeTimeOffset,
  chunkFrameCount,
  isoDuration,
  measureBandwidth,
  planChunks,
  planLadder,
  type SourceInfo,
} from '../src/index.ts';

function source(overrides: Partial<SourceInfo> = {}): SourceInfo {
  return {
    durationSeconds: 30,
    width: 854,
    height: 480,
    rotation: 0,
    fps: 30,
    hasAudio: true,
    videoCodec: 'h264',
    audioCodec: 'aac',
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    bitRate: 2_000_000,
    sizeBytes: 30_000_000,
    videoStreamIndex: 0,
    audioStreamIndex: 1,
    ...overrides,
  };
}

describe('planChunks', () => {
  it('cuts on segment boundaries, numbering segments across chunks', () => {
    expect(planChunks(30, { segmentSeconds: 4, chunkSeconds: 12 })).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 12, firstSegmentNumber: 1, segmentCount: 3, isLast: false },
      { index: 1, startSeconds: 12, endSeconds: 24, firstSegmentNumber: 4, segmentCount: 3, isLast: false },
      { index: 2, startSeconds: 24, endSeconds: 30, firstSegmentNumber: 7, segmentCount: 2, isLast: true },
    ]);
  });

  it('rounds the chunk length to whole segments', () => {
    expect(planChunks(20, { segmentSeconds: 4, chunkSeconds: 10 }).map((chunk) => chunk.endSeconds)).toEqual([12, 20]);
  });

  it('folds a short tail into the chunk before it', () => {
    // 25 s = 7 segments of 4 s: 3 + 3 + 1 would spend a job on one segment.
    expect(planChunks(25, { segmentSeconds: 4, chunkSeconds: 12 }).map((chunk) => [chunk.startSeconds, chunk.endSeconds, chunk.segmentCount])).toEqual([
      [0, 12, 3],
      [12, 25, 4],
    ]);
  });

  it('keeps a short video in one chunk, and an exact multiple without an empty tail', () => {
    expect(planChunks(0.5, { segmentSeconds: 4, chunkSeconds: 12 })).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 0.5, firstSegmentNumber: 1, segmentCount: 1, isLast: true },
    ]);
    expect(planChunks(24.0000001, { segmentSeconds: 4, chunkSeconds: 12 }).map((chunk) => chunk.endSeconds)).toEqual([12, 24.0000001]);
  });

  it('starts with a short first chunk, doubling up to whole chunks, segment numbers continuing across them', () => {
    expect(planChunks(62, { segmentSeconds: 4, chunkSeconds: 12, firstChunkSeconds: 4 })).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 4, firstSegmentNumber: 1, segmentCount: 1, isLast: false },
      { index: 1, startSeconds: 4, endSeconds: 12, firstSegmentNumber: 2, segmentCount: 2, isLast: false },
      { index: 2, startSeconds: 12, endSeconds: 24, firstSegmentNumber: 4, segmentCount: 3, isLast: false },
      { index: 3, startSeconds: 24, endSeconds: 36, firstSegmentNumber: 7, segmentCount: 3, isLast: false },
      { index: 4, startSeconds: 36, endSeconds: 48, firstSegmentNumber: 10, segmentCount: 3, isLast: false },
      { index: 5, startSeconds: 48, endSeconds: 62, firstSegmentNumber: 13, segmentCount: 4, isLast: true },
    ]);
    // Rounded to whole segments, at least one; the ramp doubles 1, 2, 4 segments up to the chunk length.
    expect(planChunks(60, { segmentSeconds: 4, chunkSeconds: 24, firstChunkSeconds: 1 }).map((chunk) => chunk.endSeconds)).toEqual([4, 12, 28, 60]);
  });

  it('folds a short tail after the first chunk into it, and keeps a source shorter than the first chunk whole', () => {
    expect(planChunks(7.5, { segmentSeconds: 4, chunkSeconds: 12, firstChunkSeconds: 4 })).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 7.5, firstSegmentNumber: 1, segmentCount: 2, isLast: true },
    ]);
    expect(planChunks(3, { segmentSeconds: 4, chunkSeconds: 12, firstChunkSeconds: 8 })).toEqual([
      { index: 0, startSeconds: 0, endSeconds: 3, firstSegmentNumber: 1, segmentCount: 1, isLast: true },
    ]);
    expect(planChunks(14, { segmentSeconds: 4, chunkSeconds: 12, firstChunkSeconds: 4 }).map((chunk) => [chunk.startSeconds, chunk.endSeconds])).toEqual([
      [0, 4],
      [4, 14],
    ]);
  });

  it('refuses a duration it cannot plan', () => {
    expect(() => planChunks(0, { segmentSeconds: 4, chunkSeconds: 12 })).toThrow(/positive duration/);
  });
});

describe('chunk frame arithmetic', () => {
  it('counts the frames of a chunk on the rung frame grid, also at 29.97 fps', () => {
    expect(chunkFrameCount({ startSeconds: 12, endSeconds: 24 }, 30)).toBe(360);
    // Frames at n × 1001/30000 s: 359 or 360 of them fall in each 12 s window.
    const ntsc = 30000 / 1001;
    expect(chunkFrameCount({ startSeconds: 0, endSeconds: 12 }, ntsc) + chunkFrameCount({ startSeconds: 12, endSeconds: 24 }, ntsc)).toBe(Math.ceil(24 * ntsc));
  });

  it('places a chunk at its first frame, in track ticks', () => {
    expect(chunkDecodeTimeOffset({ startSeconds: 12 }, 25, 12800)).toBe(153600);
    // First 29.97 fps frame at or after 12 s is frame 360 (12.012 s).
    expect(chunkDecodeTimeOffset({ startSeconds: 12 }, 30000 / 1001, 30000)).toBe(360 * 1001);
  });
});

const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-protocol_whitelist', 'file'];

describe('buildChunkArgs', () => {
  const info = source();
  const rungs = planLadder(info, { maxHeight: 1080 }).slice(2);
  const [first, middle] = planChunks(30, { segmentSeconds: 4, chunkSeconds: 12 });

  it('seeks to a middle chunk, encodes each rung for exactly its frames and writes fMP4 segments', () => {
    expect(rungs.map((rung) => rung.name)).toEqual(['360p', '480p']);
    expect(buildChunkArgs({ input: '/in/source', outputDir: '/out', info, rungs, chunk: middle!, segmentSeconds: 4, preset: 'veryfast', threads: 1 })).toEqual([
      ...HEAD,
      '-ss',
      '12',
      '-t',
      '13',
      '-i',
      '/in/source',
      '-filter_complex',
      '[0:0]fps=30,split=2[v0][v1];[v0]scale=640:360,setsar=1281/1280:max=1281[v0out];[v1]scale=854:480,setsar=1[v1out]',
      '-map',
      '[v0out]',
      '-map',
      '[v1out]',
      '-an',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-profile:v',
      'high',
      '-pix_fmt',
      'yuv420p',
      '-threads',
      '1',
      '-sc_threshold',
      '0',
      '-mbtree',
      '0',
      '-force_key_frames',
      'expr:gte(t,n_forced*4)',
      '-g:v:0',
      '120',
      '-keyint_min:v:0',
      '120',
      '-b:v:0',
      '1037k',
      '-maxrate:v:0',
      '1555500',
      '-bufsize:v:0',
      '2074k',
      '-frames:v:0',
      '360',
      '-g:v:1',
      '120',
      '-keyint_min:v:1',
      '120',
      '-b:v:1',
      '1476k',
      '-maxrate:v:1',
      '2214k',
      '-bufsize:v:1',
      '2952k',
      '-frames:v:1',
      '360',
      '-f',
      'hls',
      '-hls_segment_type',
      'fmp4',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'vod',
      '-start_number',
      '1',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      '/out/seg-%v-%05d.m4s',
      '-var_stream_map',
      'v:0 v:1',
      '-progress',
      'pipe:1',
      '-nostats',
      '/out/media-%v.m3u8',
    ]);
  });

  it('needs no seek for the first chunk and no frame limit for the last', () => {
    const firstArgs = buildChunkArgs({ input: '/in/source', outputDir: '/out', info, rungs, chunk: first!, segmentSeconds: 4, preset: 'veryfast' });
    expect(firstArgs.slice(HEAD.length, HEAD.length + 4)).toEqual(['-t', '13', '-i', '/in/source']);
    const last = planChunks(30, { segmentSeconds: 4, chunkSeconds: 12 }).at(-1)!;
    const lastArgs = buildChunkArgs({ input: '/in/source', outputDir: '/out', info, rungs, chunk: last, segmentSeconds: 4, preset: 'veryfast' });
    // The last chunk is bounded by the declared duration (a lying container stops there).
    expect(lastArgs.slice(HEAD.length, HEAD.length + 6)).toEqual(['-ss', '24', '-t', '6', '-i', '/in/source']);
    expect(lastArgs.some((arg) => arg.startsWith('-frames'))).toBe(false);
    expect(lastArgs).not.toContain('-threads');
  });

  it('caps the frame rate of a 60 fps source per rung, counting frames at the rung rate', () => {
    const fast = source({ fps: 60, width: 1280, height: 720 });
    const ladder = planLadder(fast, { maxHeight: 720 }).slice(3);
    expect(ladder.map((rung) => [rung.name, rung.frameRate])).toEqual([
      ['480p', 30],
      ['720p', 60],
    ]);
    const args = buildChunkArgs({ input: '/in/source', outputDir: '/out', info: fast, rungs: ladder, chunk: middle!, segmentSeconds: 4, preset: 'veryfast' });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:0]fps=60,split=2[v0][v1];[v0]fps=30,scale=854:480,setsar=1280/1281:max=1281[v0out];[v1]scale=1280:720,setsar=1[v1out]',
    );
    expect([args[args.indexOf('-frames:v:0') + 1], args[args.indexOf('-frames:v:1') + 1]]).toEqual(['360', '720']);
    expect([args[args.indexOf('-g:v:0') + 1], args[args.indexOf('-g:v:1') + 1]]).toEqual(['120', '240']);
  });

  it('refuses an empty ladder', () => {
    expect(() => buildChunkArgs({ input: '/in', outputDir: '/out', info, rungs: [], chunk: first!, segmentSeconds: 4, preset: 'veryfast' })).toThrow(
      /at least one rung/,
    );
  });
});

describe('countFramesArgs', () => {
  it('counts the video packets within the declared duration, demuxing only', () => {
    expect(countFramesArgs('/in/source', 1, 3.5)).toEqual([
      '-v',
      'error',
      '-select_streams',
      '1',
      '-read_intervals',
      '%+3.5',
      '-count_packets',
      '-show_entries',
      'stream=nb_read_packets',
      '-of',
      'csv=p=0',
      '/in/source',
    ]);
  });
});

describe('finishedAudioSegments', () => {
  const head = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MAP:URI="init.mp4"\n';

  it('counts the segments ffmpeg has listed', () => {
    expect(finishedAudioSegments('')).toBe(0);
    expect(finishedAudioSegments(head)).toBe(0);
    expect(finishedAudioSegments(`${head}#EXTINF:4.010667,\nseg-a-00001.m4s\n#EXTINF:3.989333,\nseg-a-00002.m4s\n`)).toBe(2);
    expect(finishedAudioSegments(`${head}#EXTINF:4.010667,\nseg-a-00001.m4s\n#EXTINF:0.021333,\nseg-a-00002.m4s\n#EXT-X-ENDLIST\n`)).toBe(2);
  });

  it('ignores a last line without its newline (a read cut short) and anything after a gap in the numbers', () => {
    expect(finishedAudioSegments(`${head}#EXTINF:4.010667,\nseg-a-00001.m4s\n#EXTINF:3.989333,\nseg-a-00002.m4s`)).toBe(1);
    expect(finishedAudioSegments(`${head}#EXTINF:4.010667,\nseg-a-00001.m4s\n#EXTINF:3.989333,\nseg-a-0000`)).toBe(1);
    expect(finishedAudioSegments(`${head}#EXTINF:4,\nseg-a-00001.m4s\n#EXTINF:4,\nseg-a-00003.m4s\n`)).toBe(1);
  });
});

describe('buildAudioArgs', () => {
  it('reads no more than the declared duration when given one', () => {
    const args = buildAudioArgs({ input: '/in/source', outputDir: '/out', audioStreamIndex: 2, segmentSeconds: 4, bitrate: 128_000, durationSeconds: 3.5 });
    expect(args.slice(HEAD.length, HEAD.length + 4)).toEqual(['-t', '3.5', '-i', '/in/source']);
  });

  it('encodes the whole audio stream once as AAC fMP4 segments', () => {
    expect(buildAudioArgs({ input: '/in/source', outputDir: '/out', audioStreamIndex: 2, segmentSeconds: 4, bitrate: 128_000 })).toEqual([
      ...HEAD,
      '-i',
      '/in/source',
      '-map',
      '0:2',
      '-vn',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
      '-ac',
      '2',
      '-ar',
      '48000',
      '-f',
      'hls',
      '-hls_segment_type',
      'fmp4',
      '-hls_time',
      '4',
      '-hls_playlist_type',
      'event',
      '-start_number',
      '1',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      '/out/seg-a-%05d.m4s',
      '-progress',
      'pipe:1',
      '-nostats',
      '/out/audio.m3u8',
    ]);
  });
});

describe('manifests', () => {
  const stream = {
    stream: 0,
    timescale: 1000,
    codecs: 'avc1.64001e',
    segments: [
      { number: 1, startTicks: 0, durationTicks: 4000, bytes: 200_000 },
      { number: 2, startTicks: 4000, durationTicks: 4000, bytes: 600_000 },
      { number: 3, startTicks: 8000, durationTicks: 4000, bytes: 400_000 },
      { number: 4, startTicks: 12000, durationTicks: 100, bytes: 100_000 },
    ],
  };

  it('measures peak and average bandwidth from the segments, ignoring a stub last segment for the peak', () => {
    // Peak: 600 kB in 4 s = 1.2 Mbit/s (the 0.1 s tail would be 8 Mbit/s). Average: 1.3 MB in 12.1 s.
    expect(measureBandwidth(stream)).toEqual({ peak: 1_200_000, average: Math.round((1_300_000 * 8) / 12.1) });
  });

  it('writes an EVENT playlist while encoding and a VOD one with ENDLIST when complete', () => {
    const growing = { ...stream, segments: stream.segments.slice(0, 2) };
    expect(buildMediaPlaylist(growing, { complete: false, targetDurationSeconds: 4 })).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:4',
        '#EXT-X-MEDIA-SEQUENCE:1',
        '#EXT-X-PLAYLIST-TYPE:EVENT',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="init-0.m4s"',
        '#EXTINF:4.000000,',
        'seg-0-00001.m4s',
        '#EXTINF:4.000000,',
        'seg-0-00002.m4s',
        '',
      ].join('\n'),
    );
    const done = buildMediaPlaylist(stream, { complete: true, targetDurationSeconds: 4 });
    expect(done).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(done.trimEnd().split('\n').slice(-3)).toEqual(['#EXTINF:0.100000,', 'seg-0-00004.m4s', '#EXT-X-ENDLIST']);
  });

  it('declares measured bandwidth, codecs and the shared audio group in the master playlist', () => {
    const master = buildMasterPlaylist(
      [{ stream: 0, width: 640, height: 360, frameRate: 30, codecs: 'avc1.64001e', bandwidth: { peak: 1_200_000, average: 860_000 } }],
      { stream: 1, codecs: 'mp4a.40.2', bandwidth: { peak: 130_000, average: 128_000 } },
    );
    expect(master).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="media_1.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=1330000,AVERAGE-BANDWIDTH=988000,RESOLUTION=640x360,FRAME-RATE=30.000,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio"',
        'media_0.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('writes a static MPD with a folded segment timeline', () => {
    const mpd = buildDashManifest({ durationSeconds: 12.1, video: [{ ...stream, width: 640, height: 360, frameRate: 30, sar: '1281/1280' }], audio: null });
    expect(mpd).toContain('type="static" mediaPresentationDuration="PT12.1S"');
    expect(mpd).toContain('<SegmentTimeline><S t="0" d="4000" r="2"/><S t="12000" d="100"/></SegmentTimeline>');
    expect(mpd).toContain('<Representation id="0" width="640" height="360" frameRate="30.000" sar="1281:1280" bandwidth="1200000" codecs="avc1.64001e">');
    expect(mpd).not.toContain('contentType="audio"');
    expect(isoDuration(3725.5)).toBe('PT1H2M5.5S');
  });
});
