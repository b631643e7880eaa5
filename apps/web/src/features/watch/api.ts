import type { DownloadStatus } from '@tube/shared';
import { requestJson, videoPath } from '../../api/client.ts';

export const watchApi = {
  /** 202 (preparing, with progress) until the MP4 exists, then the signed link (asked as JSON, not followed as a redirect). */
  prepareDownload: (id: string) => requestJson<DownloadStatus>(`${videoPath(id)}/download`, { headers: { accept: 'application/json' } }),
};
