import { describe, expect, it } from 'vitest';
import { buildDownloadRemuxArgs, parseMediaPlaylist, pickDownloadStreams } from '../src/index.ts';

const master = [
  '#EXTM3U',
  '#EXT-X-VERSION:7',
  '#EXT-X-INDEPENDENT-SEGMENTS',
  '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",URI="captions-en.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="media_3.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=256x144,CODECS="avc1.64000c,mp4a.40.2",AUDIO="audio",SUBTITLES="subs"',
  'media_0.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="audio",SUBTITLES="subs"',
  'media_2.m3u8',
  '#EXT-X-STREAM-INF:BANDWIDTH=900000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="audio",SUBTITLES="subs"',
  'media_1.m3u8',
  '',
].join('\n');

describe('pickDownloadStreams', () => {
  it('takes the tallest variant and the audio of its group, not the captions', () => {
    expect(pickDownloadStreams(master)).toEqual({ video: 'media_2.m3u8', audio: 'media_3.m3u8', width: 1280, height: 720 });
  });

  it('has no audio when the variant names no audio group', () => {
    const silent = '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000,RESOLUTION=256x144\nmedia_0.m3u8\n';
    expect(pickDownloadStreams(silent)).toEqual({ video: 'media_0.m3u8', audio: null, width: 256, height: 144 });
  });

  it('refuses a master without variants and playlist names that are paths', () => {
    expect(() => pickDownloadStreams('#EXTM3U\n')).toThrow(/no video variant/);
    expect(() => pickDownloadStreams('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=2x2\n../other/media_0.m3u8\n')).toThrow(/not a published file name/);
  });
});

describe('parseMediaPlaylist', () => {
  const playlist = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    '#EXT-X-TARGETDURATION:4',
    '#EXT-X-MAP:URI="init-2.m4s"',
    '#EXTINF:4.000000,',
    'seg-2-00001.m4s',
    '#EXTINF:1.500000,',
    'seg-2-00002.m4s',
    '#EXT-X-ENDLIST',
  ].join('\n');

  it('lists the init segment and the media segments in order', () => {
    expect(parseMediaPlaylist(playlist)).toEqual({ init: 'init-2.m4s', segments: ['seg-2-00001.m4s', 'seg-2-00002.m4s'] });
  });

  it('refuses a playlist that is still growing, has no map, or names a URL', () => {
    expect(() => parseMediaPlaylist(playlist.replace('#EXT-X-ENDLIST', ''))).toThrow(/not complete/);
    expect(() => parseMediaPlaylist(playlist.replace('#EXT-X-MAP:URI="init-2.m4s"', ''))).toThrow(/initialization segment/);
    expect(() => parseMediaPlaylist(playlist.replace('seg-2-00002.m4s', 'https://example.test/x.m4s'))).toThrow(/not a published file name/);
  });
});

describe('buildDownloadRemuxArgs', () => {
  it('copies the best rung and the audio into one faststart MP4', () => {
    expect(buildDownloadRemuxArgs({ video: '/w/video.mp4', audio: '/w/audio.mp4', output: '/w/out.mp4' })).toEqual([
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-protocol_whitelist',
      'file',
      '-i',
      '/w/video.mp4',
      '-protocol_whitelist',
      'file',
      '-i',
      '/w/audio.mp4',
      '-map',
      '0:v:0',
      '-map',
      '1:a:0',
      '-c',
      'copy',
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-movflags',
      '+faststart',
      '-f',
      'mp4',
      '/w/out.mp4',
    ]);
  });

  it('maps only the video when there is no audio', () => {
    const args = buildDownloadRemuxArgs({ video: 'v.mp4', audio: null, output: 'o.mp4' });
    expect(args.filter((arg) => arg === '-i')).toHaveLength(1);
    expect(args).not.toContain('1:a:0');
  });
});
