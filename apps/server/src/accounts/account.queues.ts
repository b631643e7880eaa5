import type PgBoss from 'pg-boss';

export const ACCOUNT_DELETE_QUEUE = 'accounts.delete';
export const ACCOUNT_PURGE_DUE_QUEUE = 'accounts.purge-due';
export const NEW_VIDEO_EMAIL_QUEUE = 'accounts.email-new-video';
export const COMMENT_EMAIL_QUEUE = 'accounts.email-comment';

export const ACCOUNT_QUEUES = [ACCOUNT_DELETE_QUEUE, NEW_VIDEO_EMAIL_QUEUE, COMMENT_EMAIL_QUEUE];

const EMAIL_JOB_OPTIONS = { retryLimit: 5, retryDelay: 30, retryBackoff: true };

/** pg-boss drops jobs sent to a queue that does not exist yet, so every process creates these at start. */
export async function createAccountQueues(queue: PgBoss): Promise<void> {
  for (const name of ACCOUNT_QUEUES) await queue.createQueue(name, { name });
}

/** Queues an email job; callers catch, since an email that cannot be queued must not fail what caused it. */
export async function enqueueEmail(queue: PgBoss, name: typeof NEW_VIDEO_EMAIL_QUEUE, data: { videoId: string }): Promise<void>;
export async function enqueueEmail(queue: PgBoss, name: typeof COMMENT_EMAIL_QUEUE, data: { commentId: string }): Promise<void>;
export async function enqueueEmail(queue: PgBoss, name: string, data: object): Promise<void> {
  await queue.send(name, data, EMAIL_JOB_OPTIONS);
}
