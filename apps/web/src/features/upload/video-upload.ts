import { defaultOptions, DetailedError, Upload, type PreviousUpload } from 'tus-js-client';
import { UPLOAD_ENDPOINT } from './api.ts';
import { uploadApi } from './api.ts';

export type { PreviousUpload };

/** The video (created with POST /api/v1/videos) the file goes to, and where to send it. */
export interface UploadTarget {
  videoId: string;
  title: string;
  endpoint: string;
}

export interface UploadHandlers {
  onProgress(bytesSent: number, bytesTotal: number): void;
  onRetrying(): void;
  onSuccess(): void;
  onError(message: string): void;
}

export interface AccessTokens {
  getAccessToken(): Promise<string | null>;
  refreshAccessToken(): Promise<string | null>;
}

/** An upload this browser started and did not finish (kept by tus-js-client in localStorage). */
export interface UnfinishedUpload {
  storageKey: string;
  uploadUrl: string | null;
  videoId: string | null;
  filename: string;
  title: string;
  size: number | null;
  startedAt: string;
}

const CHUNK_SIZE_BYTES = 8 * 1024 * 1024;

/**
 * Identifies "the same file" across page loads. Unlike tus-js-client's default it leaves out the
 * endpoint, which the server hands out per video and may spell as an absolute URL.
 */
export async function fileFingerprint(file: File): Promise<string> {
  return ['tube', file.name, file.type, file.size, file.lastModified].join('-');
}
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000];

export class SignedOutError extends Error {
  constructor() {
    super('You were signed out. Sign in again to continue this upload.');
  }
}

/** The tus upload id is the video id: the last segment of the upload URL. */
export function videoIdFromUploadUrl(uploadUrl: string): string {
  const path = new URL(uploadUrl, window.location.href).pathname;
  return decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
}

/** The video an unfinished upload belongs to. */
export function videoIdOfPreviousUpload(previous: PreviousUpload): string | null {
  return previous.metadata.videoId ?? (previous.uploadUrl ? videoIdFromUploadUrl(previous.uploadUrl) : null);
}

/** The server's `{ error: { message } }` when the tus response carries one. */
export function describeUploadError(error: Error): string {
  if (error instanceof SignedOutError) return error.message;
  if (error instanceof DetailedError) {
    const response = error.originalResponse;
    if (response) {
      try {
        const body = JSON.parse(response.getBody()) as { error?: { message?: unknown } };
        if (typeof body.error?.message === 'string') return body.error.message;
      } catch {
        // Not JSON.
      }
      const status = response.getStatus();
      if (status === 413) return 'This file is larger than this server accepts.';
      if (status === 401 || status === 403) return 'You are not allowed to upload. Sign in again and retry.';
      return `The upload failed (server answered ${status}). You can retry; it continues where it stopped.`;
    }
    return 'The connection to the server was lost. Resume when you are back online; the upload continues where it stopped.';
  }
  return error.message || 'The upload failed.';
}

/** tus-js-client's default rule, plus 401: retried after refreshing the access token. */
function shouldRetry(status: number): boolean {
  if (status === 401 || status === 409 || status === 423) return true;
  if (status >= 400 && status < 500) return false;
  return navigator.onLine !== false;
}

/**
 * One resumable tus upload of a video file. Chunks of 8 MiB; the upload URL is remembered per
 * file fingerprint so picking the same file after a reload (or a crash) continues it.
 */
export class VideoUpload {
  readonly #upload: Upload;
  readonly #tokens: AccessTokens;
  #tokenRejected = false;

  constructor(
    file: File,
    target: UploadTarget,
    handlers: UploadHandlers,
    tokens: AccessTokens,
    /** An unfinished upload of the same file to continue (see findPreviousUpload). */
    private readonly previousUpload: PreviousUpload | null,
  ) {
    this.#tokens = tokens;
    const upload: Upload = new Upload(file, {
      endpoint: target.endpoint,
      fingerprint: fileFingerprint,
      chunkSize: CHUNK_SIZE_BYTES,
      retryDelays: RETRY_DELAYS_MS,
      removeFingerprintOnSuccess: true,
      metadata: {
        videoId: target.videoId,
        filename: file.name,
        filetype: file.type || 'application/octet-stream',
        // Only for the "unfinished uploads" list; the server has the details already.
        title: target.title,
      },
      onBeforeRequest: async (request) => {
        const token = this.#tokenRejected ? await this.#tokens.refreshAccessToken() : await this.#tokens.getAccessToken();
        this.#tokenRejected = false;
        if (!token) throw new SignedOutError();
        request.setHeader('Authorization', `Bearer ${token}`);
      },
      onShouldRetry: (error) => {
        const status = error.originalResponse?.getStatus() ?? 0;
        if (!shouldRetry(status)) return false;
        if (status === 401) this.#tokenRejected = true;
        handlers.onRetrying();
        return true;
      },
      onProgress: (bytesSent, bytesTotal) => handlers.onProgress(bytesSent, bytesTotal),
      onSuccess: () => handlers.onSuccess(),
      onError: (error) => handlers.onError(describeUploadError(error)),
    });
    this.#upload = upload;
  }

  /** The newest unfinished upload of this file that this browser remembers, if any. */
  static async findPreviousUpload(file: File): Promise<PreviousUpload | null> {
    try {
      const candidates = await new Upload(file, { endpoint: UPLOAD_ENDPOINT, fingerprint: fileFingerprint }).findPreviousUploads();
      return candidates.sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0] ?? null;
    } catch {
      // No storage (private mode): the upload simply starts from scratch.
      return null;
    }
  }

  start(): void {
    if (this.previousUpload) this.#upload.resumeFromPreviousUpload(this.previousUpload);
    this.#upload.start();
  }

  pause(): void {
    void this.#upload.abort(false);
  }

  resume(): void {
    this.#upload.start();
  }

  /** Stops and deletes the partial upload on the server (and the video it created). */
  async cancel(): Promise<void> {
    try {
      await this.#upload.abort(true);
    } catch {
      // The server may already have dropped it; the local record is removed either way.
    }
  }
}

export async function listUnfinishedUploads(): Promise<UnfinishedUpload[]> {
  try {
    const uploads = await defaultOptions.urlStorage.findAllUploads();
    return uploads
      .filter((upload) => upload.uploadUrl)
      .map((upload) => ({
        storageKey: upload.urlStorageKey,
        uploadUrl: upload.uploadUrl,
        videoId: videoIdOfPreviousUpload(upload),
        filename: upload.metadata.filename ?? 'Unknown file',
        title: upload.metadata.title ?? upload.metadata.filename ?? 'Untitled',
        size: upload.size,
        startedAt: upload.creationTime,
      }))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  } catch {
    return [];
  }
}

/** Forgets an unfinished upload locally and deletes the partial file and its video on the server. */
export async function discardUnfinishedUpload(upload: UnfinishedUpload, tokens: AccessTokens): Promise<void> {
  await defaultOptions.urlStorage.removeUpload(upload.storageKey);
  if (upload.uploadUrl) {
    const token = await tokens.getAccessToken();
    try {
      await Upload.terminate(upload.uploadUrl, { headers: token ? { Authorization: `Bearer ${token}` } : {}, retryDelays: null });
    } catch {
      // Already gone on the server.
    }
  }
  if (upload.videoId) await uploadApi.discardVideo(upload.videoId).catch(() => undefined);
}
