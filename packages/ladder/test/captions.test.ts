import { describe, expect, it } from 'vitest';
import { captionPlaylist, withDashCaptions, withHlsCaptions, type CaptionTrack } from '../src/captions.ts';

const MASTER = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_0",DEFAULT=YES,URI="media_2.m3u8",CHANNELS="2"
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=256x144,CODECS="avc1.64000c,mp4a.40.2",AUDIO="group_A1"
media_0.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",AUDIO="group_A1"
media_1.m3u8
`;

const MPD = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static">
\t<Period id="0" start="PT0.0S">
\t\t<AdaptationSet id="0" contentType="video" segmentAlignment="true">
\t\t\t<Representation id="0" mimeType="video/mp4" codecs="avc1.64000c" bandwidth="400000" width="256" height="144"/>
\t\t</AdaptationSet>
\t\t<AdaptationSet id="1" contentType="audio" segmentAlignment="true">
\t\t\t<Representation id="2" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="96000" audioSamplingRate="48000"/>
\t\t</AdaptationSet>
\t</Period>
</MPD>
`;

const TRACKS: CaptionTrack[] = [
  { language: 'en', label: 'English', vttFile: 'captions-en-1a2b3c4d.vtt', playlistFile: 'captions-en-1a2b3c4d.m3u8' },
  { language: 'pt-BR', label: 'Português "BR" & <co>', vttFile: 'captions-pt-BR-99.vtt', playlistFile: 'captions-pt-BR-99.m3u8' },
];

describe('captions in the HLS master', () => {
  it('adds a SUBTITLES group before the variants and points every variant at it', () => {
    expect(withHlsCaptions(MASTER, TRACKS)).toBe(`#EXTM3U
#EXT-X-VERSION:7
#EXT-X-INDEPENDENT-SEGMENTS
#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_A1",NAME="audio_0",DEFAULT=YES,URI="media_2.m3u8",CHANNELS="2"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=NO,FORCED=NO,URI="captions-en-1a2b3c4d.m3u8"
#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Português 'BR' & <co>",LANGUAGE="pt-BR",DEFAULT=NO,AUTOSELECT=NO,FORCED=NO,URI="captions-pt-BR-99.m3u8"
#EXT-X-STREAM-INF:BANDWIDTH=400000,RESOLUTION=256x144,CODECS="avc1.64000c,mp4a.40.2",AUDIO="group_A1",SUBTITLES="subs"
media_0.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=426x240,CODECS="avc1.640015,mp4a.40.2",AUDIO="group_A1",SUBTITLES="subs"
media_1.m3u8
`);
  });

  it('rewrites idempotently, and removing every track gives the original back', () => {
    const once = withHlsCaptions(MASTER, TRACKS);
    expect(withHlsCaptions(once, TRACKS)).toBe(once);
    const fewer = withHlsCaptions(once, TRACKS.slice(0, 1));
    expect(fewer.match(/TYPE=SUBTITLES/g)).toHaveLength(1);
    expect(withHlsCaptions(once, [])).toBe(MASTER);
  });

  it('gives each caption file a one-segment VOD playlist as long as the video', () => {
    expect(captionPlaylist('captions-en-1a2b3c4d.vtt', 7.52)).toBe(
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:8\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:7.520,\ncaptions-en-1a2b3c4d.vtt\n#EXT-X-ENDLIST\n',
    );
  });
});

describe('captions in the DASH manifest', () => {
  it('adds one text adaptation set per language at the end of the period, escaped', () => {
    const rewritten = withDashCaptions(MPD, TRACKS);
    expect(rewritten).toBe(
      MPD.replace(
        '\t</Period>',
        `\t\t<AdaptationSet contentType="text" mimeType="text/vtt" lang="en">
\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>
\t\t\t<Label>English</Label>
\t\t\t<Representation id="caption-en" bandwidth="256">
\t\t\t\t<BaseURL>captions-en-1a2b3c4d.vtt</BaseURL>
\t\t\t</Representation>
\t\t</AdaptationSet>
\t\t<AdaptationSet contentType="text" mimeType="text/vtt" lang="pt-BR">
\t\t\t<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>
\t\t\t<Label>Português &quot;BR&quot; &amp; &lt;co&gt;</Label>
\t\t\t<Representation id="caption-pt-BR" bandwidth="256">
\t\t\t\t<BaseURL>captions-pt-BR-99.vtt</BaseURL>
\t\t\t</Representation>
\t\t</AdaptationSet>
\t</Period>`,
      ),
    );
  });

  it('rewrites idempotently and can remove them all', () => {
    const once = withDashCaptions(MPD, TRACKS);
    expect(withDashCaptions(once, TRACKS)).toBe(once);
    expect(withDashCaptions(once, [])).toBe(MPD);
    expect(() => withDashCaptions('<MPD></MPD>', TRACKS)).toThrow('no Period');
  });
});
