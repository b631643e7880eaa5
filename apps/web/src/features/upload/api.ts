import type { CreateVideoBody, CreatedVideo } from '@tube/shared';
import { requestJson, requestNoContent, jsonBody, videoPath } from '../../api/client.ts';

export const UPLOAD_ENDPOINT = '/api/v1/uploads';

export const uploadApi = {
  createVideo: (body: CreateVideoBody) => requestJson<CreatedVideo>('/api/v1/videos', jsonBody('POST', body)),
  /** Deletes the video an abandoned upload created (the same route the studio's delete uses). */
  discardVideo: (id: string) => requestNoContent(videoPath(id), { method: 'DELETE' }),
};
