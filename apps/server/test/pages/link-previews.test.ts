/**
 * Link previews and the embed route: the server writes each shared page's head (Open Graph, Twitter card,
 * canonical, oEmbed discovery) into the web app's index.html, answers /oembed, and lets only the embed
 * page be framed. Private videos and playlists preview like missing ones.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OEmbedVideo, Playlist } from '@tube/shared';
import { bearer, registerUser, startTestApp, type TestApp } from '../helpers/app.ts';
import { insertReadyVideo } from '../helpers/videos.ts';
import { embedFrameAncestors } from '../../src/embed/frame-policy.ts';
import { injectHead } from '../../src/pages/page-head.ts';

const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="description" content="Watch and share videos on your own Tube server." />
    <title>Tube</title>
    <script type="module" src="/assets/index.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>
`;
const ORIGIN = 'http://localhost';

let t: TestApp;
let distDir = '';
let alice: Awaited<ReturnType<typeof registerUser>>;
let publicId = '';
let unlistedId = '';
let privateId = '';

beforeAll(async () => {
  distDir = await mkdtemp(path.join(tmpdir(), 'tube-pages-'));
  await writeFile(path.join(distDir, 'index.html'), INDEX_HTML);
  t = await startTestApp({ WEB_DIST_DIR: distDir });
  alice = await registerUser(t.app, 'alice');
  [publicId, unlistedId, privateId] = await Promise.all([
    insertReadyVideo(t, alice.user.id, {
      title: 'Alps & <Dolomites>',
      description: 'Two weeks "hiking".\nDay one: <script>alert(1)</script>',
      visibility: 'public',
    }),
    insertReadyVideo(t, alice.user.id, { title: 'Family only', visibility: 'unlisted' }),
    insertReadyVideo(t, alice.user.id, { title: 'Secret diary', description: 'do not share', visibility: 'private' }),
  ]);
});
afterAll(async () => {
  await t?.close();
  if (distDir) await rm(distDir, { recursive: true, force: true });
});

const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } });
/** `content` of `<meta property|name=key>`, unescaped the way a browser would. */
function metaContent(html: string, key: string): string | undefined {
  const match = new RegExp(`<meta (?:property|name)="${key.replaceAll('.', '\\.')}" content="([^"]*)"`).exec(html);
  return match?.[1]?.replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&#39;', "'").replaceAll('&amp;', '&');
}

describe('watch page head', () => {
  it('describes a public video: title, description, poster, canonical, og:video → the embed, player card, oEmbed link', async () => {
    const response = await get(`/watch/${publicId}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    const html = response.body;
    expect(html.match(/<title>/g)).toHaveLength(1);
    expect(html).toContain('<title>Alps &amp; &lt;Dolomites&gt; - Tube</title>');
    expect(html.match(/name="description"/g)).toHaveLength(1);
    expect(metaContent(html, 'description')).toBe('Two weeks "hiking". Day one: <script>alert(1)</script>');
    // The description's markup is text, never markup.
    expect(html).not.toContain('<script>alert');
    expect(metaContent(html, 'og:title')).toBe('Alps & <Dolomites> - Tube');
    expect(metaContent(html, 'og:type')).toBe('video.other');
    expect(metaContent(html, 'og:url')).toBe(`${ORIGIN}/watch/${publicId}`);
    expect(metaContent(html, 'og:image')).toMatch(new RegExp(`^${ORIGIN}/media/.+/poster\\.jpg$`));
    expect(metaContent(html, 'og:video:url')).toBe(`${ORIGIN}/embed/${publicId}`);
    expect(metaContent(html, 'og:video:type')).toBe('text/html');
    expect(metaContent(html, 'og:video:width')).toBe('640');
    expect(metaContent(html, 'og:video:height')).toBe('360');
    expect(metaContent(html, 'twitter:card')).toBe('player');
    expect(metaContent(html, 'twitter:player')).toBe(`${ORIGIN}/embed/${publicId}`);
    expect(html).toContain(`<link rel="canonical" href="${ORIGIN}/watch/${publicId}"`);
    expect(html).toContain(`type="application/json+oembed" href="${ORIGIN}/oembed?format=json&amp;url=${encodeURIComponent(`${ORIGIN}/watch/${publicId}`)}"`);
    expect(metaContent(html, 'robots')).toBeUndefined();
    // Still the app: its script tag and root are untouched.
    expect(html).toContain('<script type="module" src="/assets/index.js"></script>');
    expect(html).toContain('<div id="root"></div>');
  });

  it("shows the creator's custom thumbnail, not the generated poster", async () => {
    const id = await insertReadyVideo(t, alice.user.id, { title: 'Custom thumb', visibility: 'public' });
    await t.infra.db.updateTable('videos').set({ thumbnail_file: 'thumbnail-1a2b3c.jpg' }).where('id', '=', id).execute();
    expect(metaContent((await get(`/watch/${id}`)).body, 'og:image')).toMatch(/\/thumbnail-1a2b3c\.jpg$/);
    const oembed = (await t.app.inject({ url: `/oembed?url=${encodeURIComponent(`${ORIGIN}/watch/${id}`)}` })).json<OEmbedVideo>();
    expect(oembed.thumbnail_url).toMatch(/\/thumbnail-1a2b3c\.jpg$/);
  });

  it('previews an unlisted video for whoever has the link, but asks not to be indexed', async () => {
    const html = (await get(`/watch/${unlistedId}`)).body;
    expect(metaContent(html, 'og:title')).toBe('Family only - Tube');
    expect(metaContent(html, 'robots')).toBe('noindex');
    // Its poster link is signed, like everything else about an unlisted video.
    expect(metaContent(html, 'og:image')).toMatch(/\/media\/t\/\d+\.[\w-]+\//);
  });

  it('says nothing about a private video, even to its owner, exactly as for a missing one', async () => {
    const anonymous = (await get(`/watch/${privateId}`)).body;
    const owner = (await t.app.inject({ url: `/watch/${privateId}`, headers: { ...bearer(alice.accessToken), accept: 'text/html' } })).body;
    const missing = await get('/watch/00000000-0000-4000-8000-000000000000');
    const garbage = await get('/watch/not-a-uuid');
    for (const html of [anonymous, owner, missing.body, garbage.body]) expect(html).toBe(INDEX_HTML);
    expect(missing.statusCode).toBe(200);
    expect(garbage.statusCode).toBe(200);
  });
});

describe('channel and playlist heads', () => {
  it('describe a channel', async () => {
    const html = (await get(`/channel/${alice.user.channel.handle}`)).body;
    expect(metaContent(html, 'og:type')).toBe('profile');
    expect(metaContent(html, 'og:title')).toMatch(/ - Tube$/);
    expect(html).toContain(`<link rel="canonical" href="${ORIGIN}/channel/${alice.user.channel.handle}"`);
    expect((await get('/channel/nobody-here')).body).toBe(INDEX_HTML);
  });

  it('describe a public playlist and nothing of a private one', async () => {
    const create = async (title: string, visibility: string) => {
      const playlist = (
        await t.app.inject({ method: 'POST', url: '/api/v1/playlists', headers: bearer(alice.accessToken), payload: { title, visibility } })
      ).json<Playlist>();
      await t.app.inject({ method: 'POST', url: `/api/v1/playlists/${playlist.id}/items`, headers: bearer(alice.accessToken), payload: { videoId: publicId } });
      return playlist.id;
    };
    const [publicList, privateList] = await Promise.all([create('Best hikes', 'public'), create('My secret list', 'private')]);
    const html = (await get(`/playlist/${publicList}`)).body;
    expect(metaContent(html, 'og:title')).toBe('Best hikes - Tube');
    expect(metaContent(html, 'description')).toBe('A playlist of 1 video by alice');
    expect(metaContent(html, 'og:image')).toMatch(/poster\.jpg$/);
    expect((await get(`/playlist/${privateList}`)).body).toBe(INDEX_HTML);
  });
});

describe('GET /oembed', () => {
  const oembed = (query: Record<string, string>) => t.app.inject({ url: `/oembed?${new URLSearchParams(query).toString()}` });

  it('gives a public video as a video with an iframe of the embed player', async () => {
    const response = await oembed({ url: `${ORIGIN}/watch/${publicId}?t=30`, format: 'json' });
    expect(response.statusCode).toBe(200);
    const body = response.json<OEmbedVideo>();
    expect(body).toMatchObject({ version: '1.0', type: 'video', title: 'Alps & <Dolomites>', provider_name: 'Tube', width: 640, height: 360 });
    expect(body.author_url).toBe(`${ORIGIN}/channel/${alice.user.channel.handle}`);
    expect(body.html).toBe(
      `<iframe width="640" height="360" src="${ORIGIN}/embed/${publicId}" title="Alps &amp; &lt;Dolomites&gt;" frameborder="0" allow="autoplay; fullscreen; picture-in-picture; encrypted-media" allowfullscreen></iframe>`,
    );
    expect(body.thumbnail_url).toMatch(/^http:\/\/localhost\/media\/.+poster\.jpg$/);
  });

  it('fits maxwidth/maxheight keeping the aspect ratio', async () => {
    expect((await oembed({ url: `${ORIGIN}/watch/${publicId}`, maxwidth: '320' })).json<OEmbedVideo>()).toMatchObject({ width: 320, height: 180 });
    expect((await oembed({ url: `${ORIGIN}/embed/${publicId}`, maxheight: '90' })).json<OEmbedVideo>()).toMatchObject({ width: 160, height: 90 });
  });

  it('serves unlisted videos, and answers 404 for private and missing ones', async () => {
    expect((await oembed({ url: `${ORIGIN}/watch/${unlistedId}` })).statusCode).toBe(200);
    for (const id of [privateId, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const response = await oembed({ url: `${ORIGIN}/watch/${id}` });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: { code: 'not_found', message: 'Video not found' } });
    }
  });

  it('refuses links that are not ours and formats it does not speak, with a readable error', async () => {
    const foreign = await oembed({ url: `https://elsewhere.example/watch/${publicId}` });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.code).toBe('invalid_url');
    expect((await oembed({ url: 'not a url' })).json().error.message).toMatch(/absolute link/);
    expect((await oembed({ url: `${ORIGIN}/channel/alice` })).statusCode).toBe(400);
    const xml = await oembed({ url: `${ORIGIN}/watch/${publicId}`, format: 'xml' });
    expect(xml.statusCode).toBe(501);
    expect(xml.json().error.code).toBe('format_not_supported');
    expect((await t.app.inject({ url: '/oembed' })).statusCode).toBe(400);
  });
});

describe('the embed route', () => {
  it('may be framed by anyone (EMBED_FRAME_ANCESTORS=*) and is not for search results', async () => {
    const response = await get(`/embed/${publicId}`);
    expect(response.statusCode).toBe(200);
    const policy = String(response.headers['content-security-policy']);
    // The app-wide policy (helmet's), with only frame-ancestors opened up.
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain('frame-ancestors *');
    expect(policy).not.toContain("frame-ancestors 'none'");
    expect(response.headers['x-frame-options']).toBeUndefined();
    expect(metaContent(response.body, 'robots')).toBe('noindex');
    expect(response.body).toContain(`<link rel="canonical" href="${ORIGIN}/watch/${publicId}"`);
    // A private video's embed is the bare app (which says the video is unavailable).
    expect((await get(`/embed/${privateId}`)).body).toBe(INDEX_HTML);
  });

  it('is the only page given a frame policy of its own', async () => {
    const watch = await get(`/watch/${publicId}`);
    expect(watch.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(watch.headers['x-frame-options']).toBe('DENY');
  });

  it('reads EMBED_FRAME_ANCESTORS as a CSP source list', () => {
    expect(embedFrameAncestors('*')).toEqual(['*']);
    expect(embedFrameAncestors(' https://blog.example  https://*.example.org ')).toEqual(['https://blog.example', 'https://*.example.org']);
  });
});

describe('injectHead', () => {
  it('replaces the default title and description and keeps everything else', () => {
    const html = injectHead(INDEX_HTML, { title: 'T', description: 'D', canonicalUrl: 'https://x.example/watch/1', ogType: 'website' });
    expect(html).not.toContain('<title>Tube</title>');
    expect(html).not.toContain('Watch and share videos');
    expect(html.indexOf('<title>T</title>')).toBeLessThan(html.indexOf('</head>'));
    expect(html).toContain('<meta charset="UTF-8" />');
  });
});
