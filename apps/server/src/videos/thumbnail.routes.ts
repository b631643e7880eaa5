import { IdParams, ThumbnailFromFrameBody, Video } from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { AppError } from '../infra/http/errors.ts';

const errors = errorResponses(400, 401, 404, 409, 413, 415);
/** Declared types only pick the parser; the bytes are checked by their content (magic numbers) before decoding. */
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

export async function thumbnailRoutes(app: App): Promise<void> {
  const { thumbnails } = app.services;
  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: 8 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.put(
    '/videos/:id/thumbnail',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Upload a custom thumbnail (raw JPEG/PNG/WebP body, up to 8 MiB; re-encoded to 1280×720)',
        params: IdParams,
        response: { 200: Video, ...errors },
      },
    },
    async (request) => {
      if (!Buffer.isBuffer(request.body))
        throw new AppError(415, 'unsupported_media_type', 'Send the image as the request body with a JPEG, PNG or WebP content type');
      return thumbnails.upload(request.params.id, request.user, request.body);
    },
  );

  app.post(
    '/videos/:id/thumbnail/frame',
    {
      config: { auth: 'required' },
      schema: {
        tags: ['videos'],
        summary: 'Use a frame of the video (e.g. a storyboard moment) as its thumbnail',
        params: IdParams,
        body: ThumbnailFromFrameBody,
        response: { 200: Video, ...errors },
      },
    },
    async (request) => thumbnails.fromFrame(request.params.id, request.user, request.body.atSeconds),
  );

  app.delete(
    '/videos/:id/thumbnail',
    {
      config: { auth: 'required' },
      schema: { tags: ['videos'], summary: 'Go back to the generated thumbnail', params: IdParams, response: { 200: Video, ...errors } },
    },
    async (request) => thumbnails.reset(request.params.id, request.user),
  );
}
