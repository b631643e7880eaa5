import { Type, type Static } from 'typebox';

/** Categories a creator files a video under (YouTube's list, trimmed). */
export const VIDEO_CATEGORIES = [
  'film',
  'autos',
  'music',
  'pets',
  'sports',
  'travel',
  'gaming',
  'people',
  'comedy',
  'entertainment',
  'news',
  'howto',
  'education',
  'science',
  'nonprofit',
] as const;
// Spelled out (not mapped) so the static type is the union of the literals.
export const VideoCategory = Type.Union([
  Type.Literal('film'),
  Type.Literal('autos'),
  Type.Literal('music'),
  Type.Literal('pets'),
  Type.Literal('sports'),
  Type.Literal('travel'),
  Type.Literal('gaming'),
  Type.Literal('people'),
  Type.Literal('comedy'),
  Type.Literal('entertainment'),
  Type.Literal('news'),
  Type.Literal('howto'),
  Type.Literal('education'),
  Type.Literal('science'),
  Type.Literal('nonprofit'),
]);
export type VideoCategory = Static<typeof VideoCategory>;

export const VIDEO_LICENCES = ['standard', 'cc-by', 'cc-by-sa', 'cc-by-nc', 'cc0'] as const;
export const VideoLicence = Type.Union([
  Type.Literal('standard'),
  Type.Literal('cc-by'),
  Type.Literal('cc-by-sa'),
  Type.Literal('cc-by-nc'),
  Type.Literal('cc0'),
]);
export type VideoLicence = Static<typeof VideoLicence>;

/** A BCP 47 language tag as people usually write it: `en`, `pt-BR`, `fil`. */
export const LanguageTag = Type.String({ pattern: '^[a-z]{2,3}(-[A-Z]{2})?$', maxLength: 6 });

/** on: anyone signed in may comment; off: nobody; held: comments wait for the owner's approval. */
export const CommentsPolicy = Type.Union([Type.Literal('on'), Type.Literal('off'), Type.Literal('held')]);
export type CommentsPolicy = Static<typeof CommentsPolicy>;

/** What a scheduled or draft video becomes when it is published. */
export const PublishVisibility = Type.Union([Type.Literal('public'), Type.Literal('unlisted')]);
export type PublishVisibility = Static<typeof PublishVisibility>;

export const PublishBody = Type.Object({ visibility: Type.Optional(PublishVisibility) }, { additionalProperties: false });
export type PublishBody = Static<typeof PublishBody>;

export const ThumbnailFromFrameBody = Type.Object(
  { atSeconds: Type.Number({ minimum: 0, maximum: 86_400, description: 'The moment of the video to use, e.g. a storyboard tile start' }) },
  { additionalProperties: false },
);
export type ThumbnailFromFrameBody = Static<typeof ThumbnailFromFrameBody>;
