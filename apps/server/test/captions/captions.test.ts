/**
 * Captions: WebVTT/SRT uploads validated, sanitised and converted to clean WebVTT, published next to the
 * video's media, listed in the HLS master and the DASH manifest, and private captions kept private.
 * The video rows are inserted ready with small manifests in storage (no transcoding needed for these rules).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptionList } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { decodeCaptionBytes, normaliseCaptions, parseCaptions, sanitiseCueText } from '../../src/captions/caption-format.ts';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=256x144,CODECS="avc1.64000c,mp4a.40.2"
media_0.m3u8
`;
const MPD = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static">
\t<Period id="0" start="PT0.0S">
\t\t<AdaptationSet id="0" contentType="video" segmentAlignment="true">
\t\t\t<Representation id="0" mimeType="video/mp4" codecs="avc1.64000c" bandwidth="400000" width="256" height="144"/>
\t\t</AdaptationSet>
\t</Period>
</MPD>
`;
const SRT = `1
00:00:01,000 --> 00:00:04,000
Hello <font color="red">there</font>!

2
00:00:05,500 --> 00:00:07,250
<i>Second</i> line & more
and a second row
`;

let t: TestApp;
let alice: Awaited<ReturnType<typeof registerUser>>;
let bob: Awaited<ReturnType<typeof registerUser>>;

beforeAll(async () => {
  t = await startTestApp({ CAPTION_MAX_BYTES: '2048' });
  [alice, bob] = await Promise.all([registerUser(t.app, 'alice'), registerUser(t.app, 'bob')]);
});
afterAll(() => t?.close());

/** A ready video with its own media prefix holding a master playlist and a DASH manifest. */
async function publishedVideo(visibility: 'public' | 'unlisted' | 'private' = 'public'): Promise<{ id: string; prefix: string }> {
  const id = await insertReadyVideo(t, alice.user.id, { visibility });
  const prefix = `videos/${id}/v1`;
  await t.infra.db.updateTable('videos').set({ media_prefix: prefix, duration_seconds: 8 }).where('id', '=', id).execute();
  await t.infra.storage.put(`${prefix}/master.m3u8`, MASTER);
  await t.infra.storage.put(`${prefix}/manifest.mpd`, MPD);
  return { id, prefix };
}

const upload = (id: string, language: string, body: string | Buffer, options: { token?: string; type?: string; label?: string } = {}) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/videos/${id}/captions/${language}${options.label ? `?label=${encodeURIComponent(options.label)}` : ''}`,
    headers: { ...(options.token === '' ? {} : bearer(options.token ?? alice.accessToken)), 'content-type': options.type ?? 'application/x-subrip' },
    payload: body,
  });
const stored = async (key: string) => {
  const object = await t.infra.storage.read(key);
  if (!object) return null;
  const chunks: Buffer[] = [];
  for await (const chunk of object.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};
const mediaPath = (url: string) => new URL(url, 'http://localhost').pathname;

describe('caption files', () => {
  it('converts SRT to WebVTT, dropping markup other than b/i/u and escaping the rest', () => {
    expect(normaliseCaptions(Buffer.from(SRT)).vtt).toBe(
      'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\nHello there!\n\n00:00:05.500 --> 00:00:07.250\n<i>Second</i> line &amp; more\nand a second row\n',
    );
  });

  it('keeps WebVTT cues and their layout settings but not STYLE, NOTE, ids or scripts', () => {
    const vtt = `WEBVTT - with a header

STYLE
::cue { background: url(https://evil.example/x.png) }

NOTE written by hand

intro
00:01.000 --> 00:02.500 align:start line:90% vertical:rl onload:x
<script>alert(1)</script><b>Bold</b> <c.yellow>yellow</c> 1 < 2 &amp; 3 > 2

00:00.000 --> 00:00.900
first --> second
`;
    expect(normaliseCaptions(Buffer.from(vtt)).vtt).toBe(
      'WEBVTT\n\n00:00:00.000 --> 00:00:00.900\nfirst → second\n\n00:00:01.000 --> 00:00:02.500 align:start line:90%\nalert(1)<b>Bold</b> yellow 1 &lt; 2 &amp; 3 &gt; 2\n',
    );
    expect(sanitiseCueText('<img src=x onerror=alert(1)>hi')).toBe('hi');
  });

  it('explains what is wrong with a broken file, naming the line', () => {
    expect(() => parseCaptions('just some text\nwithout timings')).toThrow(/not a WebVTT or SRT caption file/);
    expect(() => parseCaptions('WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nbackwards')).toThrow(
      'Line 3: the cue ends (00:00:02.000) before it starts (00:00:05.000).',
    );
    expect(() => parseCaptions('WEBVTT\n\n00:00:01.000 --> 00:99:02.000\nbad')).toThrow(/Line 3: .* is not a timing/);
    expect(() => parseCaptions('WEBVTT\n\nhello\nworld\n00:00:01.000 --> 00:00:02.000')).toThrow(/Line 3: a cue may have one id line/);
    expect(() => parseCaptions('WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<i></i>')).toThrow('no cues with text');
  });

  it('reads Windows-1252 SRT files as well as UTF-8 with a BOM', () => {
    expect(decodeCaptionBytes(Buffer.from([0xef, 0xbb, 0xbf, 0x63, 0x61, 0x66, 0xc3, 0xa9]))).toBe('café');
    expect(decodeCaptionBytes(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a]))).toBe('café\n');
  });
});

describe('uploading captions', () => {
  it('publishes them next to the media and lists them in the HLS master and the DASH manifest', async () => {
    const { id, prefix } = await publishedVideo('public');
    const response = await upload(id, 'en', SRT);
    expect(response.statusCode).toBe(200);
    const [track] = response.json<CaptionList>().items;
    expect(track).toMatchObject({ language: 'en', label: 'English', cueCount: 2 });
    expect(track!.url).toMatch(new RegExp(`^/media/${prefix}/captions-en-[0-9a-f]{10}\\.vtt$`));

    const vtt = await t.app.inject({ url: track!.url });
    expect(vtt.statusCode).toBe(200);
    expect(vtt.headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect(vtt.body).toContain('Hello there!');

    const master = (await t.app.inject({ url: `/media/${prefix}/master.m3u8` })).body;
    const vttFile = track!.url.split('/').pop()!;
    const playlistFile = vttFile.replace('.vtt', '.m3u8');
    expect(master).toContain(
      `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=NO,FORCED=NO,URI="${playlistFile}"`,
    );
    expect(master).toContain('CODECS="avc1.64000c,mp4a.40.2",SUBTITLES="subs"');
    const playlist = (await t.app.inject({ url: `/media/${prefix}/${playlistFile}` })).body;
    expect(playlist).toContain(`#EXTINF:8.000,\n${vttFile}\n#EXT-X-ENDLIST`);
    const mpd = (await t.app.inject({ url: `/media/${prefix}/manifest.mpd` })).body;
    expect(mpd).toContain('<AdaptationSet contentType="text" mimeType="text/vtt" lang="en">');
    expect(mpd).toContain(`<BaseURL>${vttFile}</BaseURL>`);
  });

  it('replaces a language (removing the old file), adds others with their names, and deletes', async () => {
    const { id, prefix } = await publishedVideo('public');
    const first = (await upload(id, 'en', SRT)).json<CaptionList>().items[0]!;
    const replaced = (
      await upload(id, 'en', 'WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nNew words', { type: 'text/vtt', label: 'English (CC)' })
    ).json<CaptionList>();
    expect(replaced.items).toHaveLength(1);
    expect(replaced.items[0]).toMatchObject({ label: 'English (CC)', cueCount: 1 });
    expect(replaced.items[0]!.url).not.toBe(first.url);
    expect(await stored(mediaPath(first.url).replace('/media/', ''))).toBeNull();

    const both = (await upload(id, 'pt-br', SRT, { type: 'text/plain' })).json<CaptionList>();
    expect(both.items.map((item) => [item.language, item.label])).toEqual([
      ['pt-BR', 'Brazilian Portuguese'],
      ['en', 'English (CC)'],
    ]);
    expect((await stored(`${prefix}/master.m3u8`))!.match(/TYPE=SUBTITLES/g)).toHaveLength(2);

    const afterDelete = await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${id}/captions/pt-BR`, headers: bearer(alice.accessToken) });
    expect(afterDelete.json<CaptionList>().items.map((item) => item.language)).toEqual(['en']);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${id}/captions/en`, headers: bearer(alice.accessToken) });
    expect(await stored(`${prefix}/master.m3u8`)).toBe(MASTER);
    expect(await stored(`${prefix}/manifest.mpd`)).toBe(MPD);
    expect((await t.infra.storage.list(`${prefix}/`)).filter((key) => key.includes('captions-'))).toEqual([]);
    const again = await t.app.inject({ method: 'DELETE', url: `/api/v1/videos/${id}/captions/en`, headers: bearer(alice.accessToken) });
    expect(again.statusCode).toBe(404);
  });

  it('refuses bad files, bad languages, other people and unfinished videos with readable errors', async () => {
    const { id } = await publishedVideo('public');
    const garbage = await upload(id, 'en', 'hello world');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json().error).toEqual({ code: 'invalid_captions', message: expect.stringMatching(/not a WebVTT or SRT caption file/) });
    expect((await upload(id, 'en', '')).statusCode).toBe(400);
    const tooLarge = await upload(id, 'en', `${SRT}\n`.repeat(20));
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error).toEqual({ code: 'caption_too_large', message: 'Caption files can be at most 2 KB' });
    expect((await upload(id, 'english!', SRT)).statusCode).toBe(400);
    expect((await upload(id, 'en', SRT, { token: bob.accessToken })).statusCode).toBe(404);
    expect((await upload(id, 'en', SRT, { token: '' })).statusCode).toBe(401);
    const waiting = await t.infra.db.updateTable('videos').set({ status: 'processing' }).where('id', '=', id).returning('id').executeTakeFirstOrThrow();
    const notReady = await upload(waiting.id, 'en', SRT);
    expect(notReady.statusCode).toBe(409);
    expect(notReady.json().error.message).toBe('Captions can be added once the video has been processed');
    // Nothing of the refused uploads was kept.
    expect(await t.infra.db.selectFrom('video_captions').select('language').where('video_id', '=', id).execute()).toEqual([]);
  });

  it('keeps private captions private: no listing for others, no file without the signed link', async () => {
    const { id, prefix } = await publishedVideo('private');
    const track = (await upload(id, 'en', SRT)).json<CaptionList>().items[0]!;
    expect(track.url).toMatch(/^\/media\/t\/\d+\.[\w-]+\//);
    expect((await t.app.inject({ url: track.url })).statusCode).toBe(200);
    const vttFile = track.url.split('/').pop()!;
    expect((await t.app.inject({ url: `/media/${prefix}/${vttFile}` })).statusCode).toBe(403);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}/captions` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}/captions`, headers: bearer(bob.accessToken) })).statusCode).toBe(404);
    const own = await t.app.inject({ url: `/api/v1/videos/${id}/captions`, headers: bearer(alice.accessToken) });
    expect(own.json<CaptionList>().items).toHaveLength(1);
    // The signed master (what the player loads) lists them, and its relative URIs inherit the signature.
    const signedMaster = track.url.replace(vttFile, 'master.m3u8');
    expect((await t.app.inject({ url: signedMaster })).body).toContain('TYPE=SUBTITLES');
  });
});

describe('chapters track', () => {
  it('serves the description’s chapters as WebVTT chapters, and 404 when it has none', async () => {
    const { id } = await publishedVideo('public');
    await t.infra.db
      .updateTable('videos')
      .set({ description: 'Trip notes\n0:00 Intro\n0:02 The <harbour> & boats\n(5:00) Not ascending? no: last is fine\n', duration_seconds: 400 })
      .where('id', '=', id)
      .execute();
    await t.services.videos.invalidate(id);
    // 0:00 → 0:02 is shorter than 10 s, so by YouTube's rules this description has no chapters.
    const none = await t.app.inject({ url: `/api/v1/videos/${id}/chapters.vtt` });
    expect(none.statusCode).toBe(404);
    expect(none.json().error.code).toBe('no_chapters');

    await t.infra.db
      .updateTable('videos')
      .set({ description: 'Trip notes\n0:00 Intro\n0:20 The <harbour> & boats\n(5:00) Sunset\n' })
      .where('id', '=', id)
      .execute();
    await t.services.videos.invalidate(id);
    const track = await t.app.inject({ url: `/api/v1/videos/${id}/chapters.vtt` });
    expect(track.statusCode).toBe(200);
    expect(track.headers['content-type']).toBe('text/vtt; charset=utf-8');
    expect(track.body).toBe(
      'WEBVTT\n\n1\n00:00:00.000 --> 00:00:20.000\nIntro\n\n2\n00:00:20.000 --> 00:05:00.000\nThe &lt;harbour&gt; &amp; boats\n\n3\n00:05:00.000 --> 00:06:40.000\nSunset\n',
    );
  });

  it('is as private as its video', async () => {
    const { id } = await publishedVideo('private');
    await t.infra.db.updateTable('videos').set({ description: '0:00 A\n0:10 B\n0:20 C', duration_seconds: 60 }).where('id', '=', id).execute();
    await t.services.videos.invalidate(id);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}/chapters.vtt` })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/api/v1/videos/${id}/chapters.vtt`, headers: bearer(alice.accessToken) })).statusCode).toBe(200);
  });
});
