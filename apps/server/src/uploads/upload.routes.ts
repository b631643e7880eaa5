import type { IncomingMessage } from 'node:http';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Server as TusServer, type DataStore } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';
import type { Upload } from '@tus/utils';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { App } from '../http/app-types.ts';
import { requireUser } from '../http/auth-context.ts';
import { AppError, notFound } from '../infra/http/errors.ts';
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

function createDataStore(config: Config): DataStore {
  if (config.storageDriver === 's3') {
    return new S3Store({
      partSize: 8 * 1024 * 1024,
      useTags: false,
      s3ClientConfig: {
        bucket: config.S3_BUCKET!,
        region: config.S3_REGION,
        ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
        forcePathStyle: config.S3_FORCE_PATH_STYLE,
        ...(config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { credentials: { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY } }
          : {}),
      },
    });
  }
  // Upload ids are `uploads/<videoId>`, so the file lands where FsStorage finds it under that key.
  return new FileStore({ directory: config.mediaDir });
}

export function createTusServer(config: Config, videos: VideoService): TusServer {
  return new TusServer({
    path: UPLOAD_PATH,
    datastore: createDataStore(config),
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
      return { metadata: upload.metadata ?? {} };
    },
    async onUploadFinish(_request: Request, upload: Upload) {
      const videoId = upload.id.replace(/^uploads\//, '');
      try {
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
  if (config.storageDriver === 'fs') await mkdir(path.join(config.mediaDir, 'uploads'), { recursive: true });
  const tus = createTusServer(config, videos);

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
