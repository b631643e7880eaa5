import { Type, type Static } from 'typebox';
import { LineText } from './common.ts';

/** `GET /oembed` (https://oembed.com): `url` is a watch or embed link of this server. */
export const OEmbedQuery = Type.Object({
  url: LineText({ minLength: 1, maxLength: 2000 }),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xml')])),
  maxwidth: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  maxheight: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
});
export type OEmbedQuery = Static<typeof OEmbedQuery>;

export const OEmbedVideo = Type.Object({
  version: Type.Literal('1.0'),
  type: Type.Literal('video'),
  title: Type.String(),
  author_name: Type.String(),
  author_url: Type.String(),
  provider_name: Type.String(),
  provider_url: Type.String(),
  /** An `<iframe>` of the embed page. */
  html: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  thumbnail_url: Type.Optional(Type.String()),
  thumbnail_width: Type.Optional(Type.Integer()),
  thumbnail_height: Type.Optional(Type.Integer()),
});
export type OEmbedVideo = Static<typeof OEmbedVideo>;

/** BCP 47 language tags as captions use them: `en`, `pt-BR`, `zh-Hant-TW`. */
export const CAPTION_LANGUAGE_PATTERN = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$';

export const CaptionParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  language: Type.String({ pattern: CAPTION_LANGUAGE_PATTERN, description: 'BCP 47 tag, e.g. en or pt-BR' }),
});
export const CaptionUploadQuery = Type.Object({
  /** Shown in caption menus; defaults to the language's English name. */
  label: Type.Optional(LineText({ minLength: 1, maxLength: 60 })),
});
export type CaptionUploadQuery = Static<typeof CaptionUploadQuery>;

export const CaptionTrack = Type.Object({
  language: Type.String(),
  label: Type.String(),
  /** The clean WebVTT (signed for unlisted and private videos, like the rest of the media). */
  url: Type.String(),
  cueCount: Type.Integer(),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type CaptionTrack = Static<typeof CaptionTrack>;
export const CaptionList = Type.Object({ items: Type.Array(CaptionTrack) });
export type CaptionList = Static<typeof CaptionList>;
