import type { IncomingMessage } from 'node:http';
import { Server as TusServer } from '@tus/server';
import { HEADERS_LOWERCASE, type Upload } from '@tus/utils';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { App } from '../http/app-types.ts';
import { requireUser } from '../http/auth-context.ts';
import { AppError, badRequest, conflict } from '../infra/http/errors.ts';
import { UPLOAD_PATH, uploadKeyFor } from '../videos/video.service.ts';
import { assertCleanUploadMetadata } from './upload-metadata.ts';
import type { UploadService } from './upload.service.ts';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CorsPolicy } from '../http/cors.ts';
import { readableTusError, tusError, videoIdOfUpload } from './tus-errors.ts';

/**
 * What our route checked for each raw request: who is asking and, except for creation, which upload they own.
 * tus acts on exactly this upload id; it never derives one from the URL itself.
 */
interface AuthorisedUpload {
  userId: string;
  uploadId: string | null;
  /** For an upload of deferred length: the most bytes it may reach in this request (quota and size limit). */
  maxBytes?: number;
}
const authorised = new WeakMap<IncomingMessage, AuthorisedUpload>();

/** tus wraps the Node request in a Web Request (srvx), which keeps a reference to the original. */
function authorisedOf(request: Request): AuthorisedUpload | undefined {
  const node = (request as unknown as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
  return node ? authorised.get(node) : undefined;
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const TUS_HEADERS = new Set<string>(HEADERS_LOWERCASE);

const asTusError = (error: unknown) => (error instanceof AppError ? tusError(error.statusCode, error.code, error.message) : error);

export function createTusServer(config: Config, uploads: UploadService, cors: CorsPolicy, logger: FastifyBaseLogger): TusServer {
  return new TusServer({
    path: UPLOAD_PATH,
    // tus answers CORS for its own responses (its OPTIONS included), under the API's policy.
    allowedOrigins: (origin) => cors.allows(origin),
    // tus lists its own protocol headers; these are the rest of ours.
    allowedHeaders: CORS_ALLOWED_HEADERS.filter((header) => !TUS_HEADERS.has(header.toLowerCase())),
    exposedHeaders: CORS_EXPOSED_HEADERS.filter((header) => !TUS_HEADERS.has(header.toLowerCase())),
    datastore: uploads.store,
    locker: uploads.locker,
    maxSize: (request) => authorisedOf(request)?.maxBytes ?? config.UPLOAD_MAX_BYTES,
    respectForwardedHeaders: config.TRUST_PROXY,
    namingFunction: (_request, metadata) => {
      const videoId = metadata?.videoId;
      if (!videoId || !UUID.test(videoId))
        throw tusError(400, 'missing_video_id', 'Create the video first (POST /api/v1/videos) and pass its id as the tus metadata "videoId"');
      return uploadKeyFor(videoId);
    },
    generateUrl: (_request, { proto, host, path: basePath, id }) => `${proto}://${host}${basePath}/${videoIdOfUpload(id)}`,
    // Never the URL's last segment: that is what a query string like "?x=/<someone-else's-id>" would steer.
    getFileIdFromRequest: (request) => authorisedOf(request)?.uploadId ?? undefined,
    // A finished upload is a video's source; only the video's own deletion removes it.
    disableTerminationForFinishedUploads: true,
    async onUploadCreate(request: Request, upload: Upload) {
      const userId = authorisedOf(request)?.userId;
      const videoId = upload.metadata?.videoId ?? '';
      const video = await uploads.uploadTarget(videoId);
      if (!video || !userId || video.user_id !== userId) throw tusError(404, 'not_found', 'Video not found');
      if (video.status !== 'awaiting_upload' && video.status !== 'failed') {
        throw tusError(409, 'not_awaiting_upload', 'This video already has its file; create a new video to upload another');
      }
      try {
        await uploads.reserve(userId, videoId, upload.size ?? 0, true, 'create');
      } catch (error) {
        throw asTusError(error);
      }
      return { metadata: upload.metadata ?? {} };
    },
    onResponseError(_request: Request, error: Error | { status_code: number; body: string }) {
      // tus throws both plain refusals and Error subclasses that carry a status (the size limiter's).
      const refusal = 'status_code' in error && typeof error.status_code === 'number' && typeof error.body === 'string' ? error : undefined;
      if (!refusal || refusal.status_code >= 500) {
        logger.error({ err: error }, 'upload request failed');
        return undefined;
      }
      return readableTusError(refusal);
    },
    async onUploadFinish(_request: Request, upload: Upload) {
      try {
        await uploads.complete(videoIdOfUpload(upload.id));
      } catch (error) {
        throw asTusError(error);
      }
      return {};
    },
  });
}

const headerNumber = (value: string | string[] | undefined): number | undefined => {
  const text = value?.toString();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
};

export async function uploadRoutes(app: App): Promise<void> {
  const { config } = app.infra;
  const uploads = app.services.uploads;
  const cors = new CorsPolicy(config.CORS_ORIGINS);
  const tus = createTusServer(config, uploads, cors, app.log);

  // tus reads the raw request body itself.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    let deferredVideoId: string | undefined;
    let uploadId: string | undefined;
    // Refusals below are sent by Fastify, not tus: a cross-origin client must be able to read them too.
    const origin = request.headers.origin;
    if (cors.allows(origin)) reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', CORS_EXPOSED_HEADERS.join(', '));
    if (request.method !== 'OPTIONS') {
      // tus clients never send one, and the tus library would read an upload id out of it.
      if (request.raw.url?.includes('?')) throw badRequest('Upload URLs take no query string', 'invalid_upload_url');
      const user = await requireUser(request);
      if (request.method === 'POST') {
        assertCleanUploadMetadata(request.headers['upload-metadata']?.toString());
        authorised.set(request.raw, { userId: user.id, uploadId: null });
      } else {
        const id = (request.params as { id?: string }).id ?? '';
        const video = await uploads.ownUpload(user.id, id);
        if (request.method === 'DELETE' && video.status !== 'awaiting_upload') {
          throw conflict("This upload is finished and is the video's source; delete the video instead", 'upload_finished');
        }
        // A completion that was interrupted (node killed, connection cut) is finished by the next request that looks.
        if (request.method === 'HEAD' || request.method === 'PATCH') await uploads.recoverIfStranded(id);
        const maxBytes =
          request.method === 'PATCH'
            ? await uploads.reserveForPatch(user.id, id, {
                uploadLength: headerNumber(request.headers['upload-length']),
                uploadOffset: headerNumber(request.headers['upload-offset']),
                contentLength: headerNumber(request.headers['content-length']),
              })
            : undefined;
        if (maxBytes !== undefined) deferredVideoId = id;
        uploadId = id;
        authorised.set(request.raw, { userId: user.id, uploadId: uploadKeyFor(id), ...(maxBytes !== undefined ? { maxBytes } : {}) });
      }
    }
    // A removed upload takes the work started on it with it (before the bytes go: nothing may outlive them).
    if (uploadId && request.method === 'DELETE') await uploads.early.cancel(uploadId);
    reply.hijack();
    try {
      await tus.handle(request.raw, reply.raw);
    } finally {
      if (deferredVideoId)
        await uploads.shrinkReservation(deferredVideoId).catch((error: unknown) => request.log.warn({ err: error }, 'could not release an upload reservation'));
    }
    // After the response: bytes that arrived may let processing start.
    if (uploadId && request.method === 'PATCH') await uploads.early.uploadProgressed(uploadId);
  };
  app.all(UPLOAD_PATH, { config: { cors: false }, schema: { tags: ['videos'], summary: 'tus 1.0 resumable upload endpoint (creation)', hide: false } }, handle);
  app.all(`${UPLOAD_PATH}/:id`, { config: { cors: false }, schema: { hide: true } }, handle);
}
