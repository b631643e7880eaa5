import type { AccountService } from './account.service.ts';
import type { JobDefinition } from '../infra/queue/job-definition.ts';
import { ACCOUNT_DELETE_QUEUE, ACCOUNT_PURGE_DUE_QUEUE, COMMENT_EMAIL_QUEUE, NEW_VIDEO_EMAIL_QUEUE } from './account.queues.ts';

/** Work the account features hand to workers: deleting accounts and sending notification emails. */
export function accountJobs(accounts: AccountService): JobDefinition[] {
  const deleteJob: JobDefinition<{ userId: string }> = {
    queue: ACCOUNT_DELETE_QUEUE,
    async handle(data) {
      await accounts.purgeAccount(data.userId);
    },
  };
  const newVideoJob: JobDefinition<{ videoId: string }> = {
    queue: NEW_VIDEO_EMAIL_QUEUE,
    async handle(data) {
      await accounts.emailNewVideo(data.videoId);
    },
  };
  const commentJob: JobDefinition<{ commentId: string }> = {
    queue: COMMENT_EMAIL_QUEUE,
    async handle(data) {
      await accounts.emailComment(data.commentId);
    },
  };
  const sweepJob: JobDefinition = {
    queue: ACCOUNT_PURGE_DUE_QUEUE,
    schedule: '41 * * * *',
    async handle() {
      await accounts.purgeDueAccounts();
    },
  };
  return [deleteJob, newVideoJob, commentJob, sweepJob] as JobDefinition[];
}
