import { describe, expect, it } from 'vitest';
import {
  buildLadderFilterGraph,
  buildTranscodeArgs,
  DASH_MANIFEST,
  formatBitrate,
  HLS_MASTER,
  parseProgress,
  checkTranscodedLength,
  lastProgressValue,
  InvalidSourceError,
  planLadder,
  rewriteHlsMaster,
  rungSampleAspectRatio,
  type SourceInfo,
} from '../src/index.ts';

function source(overrides: Partial<SourceInfo> = {}): SourceInfo {
  return {
    durationSeconds: 120,
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

// The sources below last 120 s; the input is read for that plus one second.
const HEAD = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-protocol_whitelist', 'file', '-t', '121', '-i'];
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p'];
const AAC = ['-c:a', 'aac', '-b:a', '128k', '-ac', '2', '-ar', '48000'];
const PACKAGING_TAIL = [
  '-init_seg_name',
  'init-$RepresentationID$.m4s',
  '-media_seg_name',
  'seg-$RepresentationID$-$Number%05d$.m4s',
  '-progress',
  'pipe:1',
  '-nostats',
];

describe('buildTranscodeArgs', () => {
  it('encodes three rungs and one shared audio stream from a single decode', () => {
    const info = source({ width: 854, height: 480 });
    const rungs = planLadder(info, { maxHeight: 1080 }).slice(1);
    expect(rungs.map((rung) => rung.name)).toEqual(['240p', '360p', '480p']);
    expect(buildTranscodeArgs({ input: '/work/in.mp4', outputDir: '/work/out', info, rungs, segmentSeconds: 4, preset: 'veryfast' })).toEqual([
      ...HEAD,
      '/work/in.mp4',
      '-filter_complex',
      '[0:0]split=3[v0][v1][v2];' +
        // 854×480 is not exactly 16:9: 240p rounds to 428 wide, and setsar keeps the exact shape.
        '[v0]scale=428:240,setsar=427/428:max=428[v0out];' +
        '[v1]scale=640:360,setsar=1281/1280:max=1281[v1out];' +
        '[v2]scale=854:480,setsar=1[v2out]',
      '-map',
      '[v0out]',
      '-map',
      '[v1out]',
      '-map',
      '[v2out]',
      '-map',
      '0:1',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      ...X264,
      '-sc_threshold',
      '0',
      '-force_key_frames',
      'expr:gte(t,n_forced*4)',
      // bits per pixel × w × h × fps: 0.17 × 428 × 240 × 30, 0.15 × 640 × 360 × 30, 0.12 × 854 × 480 × 30
      '-g:v:0',
      '120',
      '-keyint_min:v:0',
      '120',
      '-b:v:0',
      '524k',
      '-maxrate:v:0',
      '786k',
      '-bufsize:v:0',
      '1048k',
      '-g:v:1',
      '120',
      '-keyint_min:v:1',
      '120',
      '-b:v:1',
      '1037k',
      '-maxrate:v:1',
      '1555500',
      '-bufsize:v:1',
      '2074k',
      '-g:v:2',
      '120',
      '-keyint_min:v:2',
      '120',
      '-b:v:2',
      '1476k',
      '-maxrate:v:2',
      '2214k',
      '-bufsize:v:2',
      '2952k',
      ...AAC,
      '-f',
      'dash',
      '-seg_duration',
      '4',
      '-use_template',
      '1',
      '-use_timeline',
      '1',
      '-hls_playlist',
      '1',
      '-adaptation_sets',
      'id=0,streams=v id=1,streams=a',
      ...PACKAGING_TAIL,
      '/work/out/manifest.mpd',
    ]);
  });

  it('leaves out audio mapping, encoding and its adaptation set for a silent source', () => {
    const info = source({ hasAudio: false, audioCodec: null, audioStreamIndex: null, width: 640, height: 360, fps: 25 });
    const rungs = planLadder(info, { maxHeight: 144 });
    expect(buildTranscodeArgs({ input: 'in.webm', outputDir: 'out', info, rungs, segmentSeconds: 6, preset: 'veryfast', threads: 2 })).toEqual([
      ...HEAD,
      'in.webm',
      '-filter_complex',
      '[0:0]split=1[v0];[v0]scale=256:144,setsar=1[v0out]',
      '-map',
      '[v0out]',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      ...X264,
      '-threads',
      '2',
      '-sc_threshold',
      '0',
      '-force_key_frames',
      'expr:gte(t,n_forced*6)',
      '-g:v:0',
      '150',
      '-keyint_min:v:0',
      '150',
      '-b:v:0',
      '175k',
      '-maxrate:v:0',
      '262500',
      '-bufsize:v:0',
      '350k',
      '-f',
      'dash',
      '-seg_duration',
      '6',
      '-use_template',
      '1',
      '-use_timeline',
      '1',
      '-hls_playlist',
      '1',
      '-adaptation_sets',
      'id=0,streams=v',
      ...PACKAGING_TAIL,
      'out/manifest.mpd',
    ]);
  });

  it('scales a portrait source by its short side and maps the real video stream past cover art', () => {
    const info = source({ width: 1080, height: 1920, rotation: 90, videoStreamIndex: 1, audioStreamIndex: 2 });
    const rungs = planLadder(info, { maxHeight: 360 });
    const args = buildTranscodeArgs({ input: 'in.mov', outputDir: 'out', info, rungs, segmentSeconds: 4, preset: 'veryfast' });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:1]split=3[v0][v1][v2];' +
        '[v0]scale=144:256,setsar=1[v0out];' +
        '[v1]scale=240:426,setsar=639/640:max=640[v1out];' +
        '[v2]scale=360:640,setsar=1[v2out]',
    );
    expect(args.slice(args.indexOf('[v2out]') + 1, args.indexOf('-map_metadata'))).toEqual(['-map', '0:2']);
  });

  it('gives a tiny source a single rung at its own size', () => {
    const info = source({ width: 160, height: 120 });
    const rungs = planLadder(info, { maxHeight: 1080 });
    const args = buildTranscodeArgs({ input: 'in', outputDir: 'out', info, rungs, segmentSeconds: 4, preset: 'ultrafast' });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:0]split=1[v0];[v0]scale=160:120,setsar=1[v0out]');
  });

  it('drops frames above 60 fps once before splitting, then to 30 fps on rungs below 720p, with GOPs to match', () => {
    const info = source({ fps: 120, width: 1280, height: 720 });
    const rungs = planLadder(info, { maxHeight: 720 }).filter((rung) => rung.name === '144p' || rung.name === '720p');
    const args = buildTranscodeArgs({ input: 'in', outputDir: 'out', info, rungs, segmentSeconds: 2, preset: 'ultrafast' });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe(
      '[0:0]fps=60,split=2[v0][v1];[v0]fps=30,scale=256:144,setsar=1[v0out];[v1]scale=1280:720,setsar=1[v1out]',
    );
    expect(args[args.indexOf('-g:v:0') + 1]).toBe('60');
    expect(args[args.indexOf('-g:v:1') + 1]).toBe('120');
  });

  it('halves a 59.94 fps source exactly on low rungs', () => {
    const info = source({ fps: 60000 / 1001, width: 640, height: 360 });
    const args = buildTranscodeArgs({
      input: 'in',
      outputDir: 'out',
      info,
      rungs: planLadder(info, { maxHeight: 144 }),
      segmentSeconds: 4,
      preset: 'ultrafast',
    });
    expect(args[args.indexOf('-filter_complex') + 1]).toBe('[0:0]split=1[v0];[v0]fps=30000/1001,scale=256:144,setsar=1[v0out]');
  });

  it('rounds the GOP for NTSC frame rates', () => {
    const info = source({ fps: 30000 / 1001 });
    const args = buildTranscodeArgs({
      input: 'in',
      outputDir: 'out',
      info,
      rungs: planLadder(info, { maxHeight: 144 }),
      segmentSeconds: 4,
      preset: 'ultrafast',
    });
    expect(args[args.indexOf('-g:v:0') + 1]).toBe('120');
  });

  it('refuses an empty ladder', () => {
    expect(() => buildTranscodeArgs({ input: 'in', outputDir: 'out', info: source(), rungs: [], segmentSeconds: 4, preset: 'ultrafast' })).toThrow();
  });

  it('names the files the players load', () => {
    expect([DASH_MANIFEST, HLS_MASTER]).toEqual(['manifest.mpd', 'master.m3u8']);
  });
});

describe('helpers', () => {
  it('computes the sample aspect ratio that restores the source display aspect', () => {
    expect(rungSampleAspectRatio({ width: 426, height: 240 }, { width: 256, height: 144 })).toBe('639/640');
    expect(rungSampleAspectRatio({ width: 1920, height: 1080 }, { width: 1280, height: 720 })).toBe('1/1');
  });

  it('formats bitrates', () => {
    expect([formatBitrate(2_500_000), formatBitrate(128_000), formatBitrate(1234)]).toEqual(['2500k', '128k', '1234']);
  });

  it('builds the filter graph on its own', () => {
    const info = source({ width: 640, height: 360 });
    expect(buildLadderFilterGraph(info, planLadder(info, { maxHeight: 240 }))).toBe(
      '[0:0]split=2[v0][v1];[v0]scale=256:144,setsar=1[v0out];[v1]scale=426:240,setsar=640/639:max=640[v1out]',
    );
  });
});

describe('checkTranscodedLength', () => {
  it('passes a stream that lasted as long as declared, or whose frame count is unknown', () => {
    expect(() => checkTranscodedLength({ frames: 298, durationSeconds: 10, frameRate: 30 })).not.toThrow();
    expect(() => checkTranscodedLength({ frames: null, durationSeconds: 10, frameRate: 30 })).not.toThrow();
  });

  it('refuses a stream with far fewer frames than its declared length holds', () => {
    expect(() => checkTranscodedLength({ frames: 2, durationSeconds: 3, frameRate: 25 })).toThrow(InvalidSourceError);
    expect(() => checkTranscodedLength({ frames: 2, durationSeconds: 3, frameRate: 25 })).toThrow(/timing does not match the length it declares \(3 seconds\)/);
  });
});

describe('lastProgressValue', () => {
  it('reads the latest complete value of a key', () => {
    expect(lastProgressValue('frame=10\nprogress=continue\nframe=20\nprogress=end\n', 'frame')).toBe('20');
    expect(lastProgressValue('frame=10\nframe=2', 'frame')).toBe('10');
    expect(lastProgressValue('fps=1\n', 'frame')).toBeNull();
  });
});

describe('parseProgress', () => {
  const block = (outTime: string, state: string) =>
    `frame=120\nfps=60.00\nbitrate=N/A\ntotal_size=N/A\nout_time_us=${outTime}\nout_time_ms=${outTime}\nout_time=00:00:04.000000\nspeed=2.0x\nprogress=${state}\n`;

  it('turns out_time_us into a fraction of the duration', () => {
    expect(parseProgress(block('4000000', 'continue'), 10)).toBeCloseTo(0.4);
  });

  it('uses the latest block of a chunk', () => {
    expect(parseProgress(block('1000000', 'continue') + block('3000000', 'continue'), 10)).toBeCloseTo(0.3);
  });

  it('treats out_time_ms as microseconds, as ffmpeg writes it', () => {
    expect(parseProgress('out_time_ms=5000000\nprogress=continue\n', 10)).toBeCloseTo(0.5);
  });

  it('reports 1 only at progress=end; overshooting timestamps stay below', () => {
    expect(parseProgress(block('10500000', 'continue'), 10)).toBe(0.99);
    expect(parseProgress(block('10500000', 'end'), 10)).toBe(1);
  });

  it('returns null when the chunk says nothing about time', () => {
    expect(parseProgress('frame=1\nfps=0.00\n', 10)).toBeNull();
    expect(parseProgress('out_time_us=N/A\nprogress=continue\n', 10)).toBeNull();
    expect(parseProgress('out_time_us=100\n', 0)).toBeNull();
  });

  it('clamps the negative timestamps ffmpeg prints before the first frame', () => {
    expect(parseProgress('out_time_us=-9223372036854775807\nprogress=continue\n', 10)).toBe(0);
  });

  it('ignores a line cut off at the end of a chunk', () => {
    expect(parseProgress('out_time_us=4000000\nprogress=continue\nout_time_us=12', 10)).toBeCloseTo(0.4);
    expect(parseProgress('progress=en', 10)).toBeNull();
  });

  it('handles CRLF line endings', () => {
    expect(parseProgress('out_time_us=2000000\r\nprogress=continue\r\n', 4)).toBeCloseTo(0.5);
  });
});

describe('rewriteHlsMaster', () => {
  // Verbatim from ffmpeg 5.1's dash muxer for a 2-rung ladder with audio.
  const ffmpegMaster = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_2",DEFAULT=YES,URI="media_2.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=281790,RESOLUTION=256x144,CODECS="avc1.42c00c,mp4a.40.2",AUDIO="group_A1"',
    'media_0.m3u8',
    '',
    '#EXT-X-STREAM-INF:BANDWIDTH=430234,RESOLUTION=426x240,CODECS="avc1.42c015,mp4a.40.2",AUDIO="group_A1"',
    'media_1.m3u8',
    '',
    '',
  ].join('\n');

  it('declares peak and average bandwidth, frame rate and channels, keeping CODECS and RESOLUTION', () => {
    const info = source({ width: 426, height: 240, fps: 25 });
    expect(rewriteHlsMaster(ffmpegMaster, planLadder(info, { maxHeight: 240 }), info)).toBe(
      [
        '#EXTM3U',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-VERSION:7',
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_2",DEFAULT=YES,URI="media_2.m3u8",CHANNELS="2"',
        '#EXT-X-STREAM-INF:BANDWIDTH=390500,RESOLUTION=256x144,CODECS="avc1.42c00c,mp4a.40.2",AUDIO="group_A1",AVERAGE-BANDWIDTH=303000,FRAME-RATE=25.000',
        'media_0.m3u8',
        '#EXT-X-STREAM-INF:BANDWIDTH=780500,RESOLUTION=426x240,CODECS="avc1.42c015,mp4a.40.2",AUDIO="group_A1",AVERAGE-BANDWIDTH=563000,FRAME-RATE=25.000',
        'media_1.m3u8',
        '',
      ].join('\n'),
    );
  });

  it('counts no audio bandwidth for a silent source and is idempotent', () => {
    const info = source({ width: 256, height: 144, hasAudio: false, audioCodec: null, audioStreamIndex: null });
    const master = '#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-STREAM-INF:BANDWIDTH=152472,RESOLUTION=256x144,CODECS="avc1.42c00c"\nmedia_0.m3u8\n\n';
    const once = rewriteHlsMaster(master, planLadder(info, { maxHeight: 1080 }), info);
    expect(once).toBe(
      '#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-VERSION:7\n' +
        '#EXT-X-STREAM-INF:BANDWIDTH=315000,RESOLUTION=256x144,CODECS="avc1.42c00c",AVERAGE-BANDWIDTH=210000,FRAME-RATE=30.000\nmedia_0.m3u8\n',
    );
    expect(rewriteHlsMaster(once, planLadder(info, { maxHeight: 1080 }), info)).toBe(once);
  });
});
