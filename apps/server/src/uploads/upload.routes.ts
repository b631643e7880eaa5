import type { IncomingMessage } from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Server as TusServer } from '@tus/server';
import { FileStore } from '@tus/file-store';
import type { Upload } from '@tus/utils';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { App } from '../http/app-types.ts';
import { requireUser } from '../http/auth-context.ts';
import { AppError, notFound } from '../infra/http/errors.ts';
import type { Storage } from '../infra/storage/storage.ts';
import type { VideoService } from '../videos/video.service.ts';
import { UPLOAD_PATH, uploadKeyFor } from '../videos/video.service.ts';

/** The user our route authenticated for each raw request, read back inside the tus hooks. */
const authenticatedUser = new WeakMap<IncomingMessage, string>();

/** tus wraps the Node request in a Web Request (srvx), which keeps a reference to the original. */
function userOf(request: Request): string | undefined {
  const node = (request as unknown as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
  return node ? authenticatedUser.get(node) : undefined;
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** tus refuses a request by throwing this shape. */
function tusError(status: number, code: string, message: string) {
  return { status_code: status, body: JSON.stringify({ error: { code, message } }) };
}

/**
 * Where tus keeps uploads while they arrive. With the fs driver that is the media directory itself, so a
 * finished upload already sits at its storage key. With S3 the upload is staged on this API node's disk and
 * moved into the bucket when complete (see docs/uploads.md for why not @tus/s3-store).
 */
export function uploadStagingDir(config: Config): string {
  return config.storageDriver === 'fs' ? config.mediaDir : path.join(config.dataDir, 'upload-staging');
}

export function createTusServer(config: Config, videos: VideoService, storage: Storage, logger: FastifyBaseLogger): TusServer {
  return new TusServer({
    path: UPLOAD_PATH,
    datastore: new FileStore({ directory: uploadStagingDir(config) }),
    maxSize: config.UPLOAD_MAX_BYTES,
    respectForwardedHeaders: config.TRUST_PROXY,
    namingFunction: (_request, metadata) => {
      const videoId = metadata?.videoId;
      if (!videoId || !UUID.test(videoId)) throw tusError(400, 'missing_video_id', 'Create the video first (POST /api/v1/videos) and pass its id as the tus metadata "videoId"');
      return uploadKeyFor(videoId);
    },
    generateUrl: (_request, { proto, host, path: basePath, id }) => `${proto}://${host}${basePath}/${id.replace(/^uploads\//, '')}`,
    getFileIdFromRequest: (_request, lastPath) => (lastPath && UUID.test(lastPath) ? uploadKeyFor(lastPath) : undefined),
    async onUploadCreate(request: Request, upload: Upload) {
      const userId = userOf(request);
      const videoId = upload.metadata?.videoId ?? '';
      const video = await videos.repo.findById(videoId);
      if (!video || video.user_id !== userId) throw tusError(404, 'not_found', 'Video not found');
      if (video.status !== 'awaiting_upload' && video.status !== 'failed') {
        throw tusError(409, 'not_awaiting_upload', 'This video already has its file; create a new video to upload another');
      }
      try {
        await videos.assertWithinQuota(video.user_id, upload.size ?? 0);
      } catch (error) {
        if (error instanceof AppError) throw tusError(error.statusCode, error.code, error.message);
        throw error;
      }
      return { metadata: upload.metadata ?? {} };
    },
    onResponseError(_request: Request, error: Error | { status_code: number; body: string }) {
      if (error instanceof Error || error.status_code >= 500) logger.error({ err: error }, 'upload request failed');
      return undefined;
    },
    async onUploadFinish(_request: Request, upload: Upload) {
      const videoId = upload.id.replace(/^uploads\//, '');
      try {
        if (storage.driver !== 'fs') {
          const staged = path.join(uploadStagingDir(config), upload.id);
          await storage.putFile(upload.id, staged, upload.metadata?.filetype ?? 'application/octet-stream');
          await rm(staged, { force: true });
          await rm(`${staged}.json`, { force: true });
        }
        await videos.uploadCompleted(videoId, { key: upload.id, bytes: upload.size ?? upload.offset, filename: upload.metadata?.filename ?? null });
      } catch (error) {
        if (error instanceof AppError) throw tusError(error.statusCode, error.code, error.message);
        throw error;
      }
      return {};
    },
  });
}

export async function uploadRoutes(app: App): Promise<void> {
  const { config } = app.infra;
  const videos = app.services.videos;
  await mkdir(path.join(uploadStagingDir(config), 'uploads'), { recursive: true });
  const tus = createTusServer(config, videos, app.infra.storage, app.log);

  // tus reads the raw request body itself.
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));

  const handle = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method !== 'OPTIONS') {
      const user = await requireUser(request);
      const id = request.url.split('?')[0]!.slice(UPLOAD_PATH.length + 1);
      if (request.method !== 'POST') {
        const video = UUID.test(id) ? await videos.repo.findById(id) : undefined;
        if (!video || video.user_id !== user.id) throw notFound('Upload not found');
      }
      authenticatedUser.set(request.raw, user.id);
    }
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };
  app.all(UPLOAD_PATH, { schema: { tags: ['videos'], summary: 'tus 1.0 resumable upload endpoint (creation)', hide: false } }, handle);
  app.all(`${UPLOAD_PATH}/:id`, { schema: { hide: true } }, handle);
}
