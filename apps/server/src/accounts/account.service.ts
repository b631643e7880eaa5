import type { Readable } from 'node:stream';
import { sql } from 'kysely';
import type {
  Accepted,
  AccountDeletion,
  AccountExport,
  AccountStatus,
  AuthOptions,
  ChangeEmailBody,
  ChangePasswordBody,
  DeleteAccountBody,
  NotificationPreferencesBody,
  RecoveryCodes,
  TwoFactorSetup,
  User,
} from '@tube/shared';
import type { AuthService, AuthUser } from '../auth/auth.service.ts';
import { hashPassword } from '../auth/auth.service.ts';
import { badRequest, conflict, forbidden, notFound, unauthorized } from '../infra/http/errors.ts';
import type { VideoService } from '../videos/video.service.ts';
import { uploadKeyFor } from '../videos/video.service.ts';
import { type AccountEmails, hashToken } from './account-emails.ts';
import type { AccountRepository } from './account.repository.ts';
import { heldCommentMessage, newCommentMessage, newVideoMessage } from './account-messages.ts';
import { ACCOUNT_DELETE_QUEUE } from './account.queues.ts';
import { isUniqueViolation } from '../infra/db/errors.ts';
import type PgBoss from 'pg-boss';
import type { Config } from '../config.ts';
import type { Cache } from '../infra/cache/cache.ts';
import type { Db } from '../infra/db/database.ts';
import type { Mailer } from '../infra/mail/mailer.ts';
import type { Storage } from '../infra/storage/storage.ts';

const NEUTRAL_RESET_ANSWER = 'If an account uses that address, we have sent it a link to choose a new password.';
const NEUTRAL_VERIFY_ANSWER = 'If an account uses that address and it is not confirmed yet, we have sent it a new link.';

/** Account settings and recovery: email links, password, username, 2FA, notification preferences, export, deletion. */
export class AccountService {
  constructor(
    private readonly repo: AccountRepository,
    private readonly auth: AuthService,
    private readonly videos: VideoService,
    private readonly externalProvider: { name: string; startUrl: string } | null,
    private readonly emails: AccountEmails,
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly storage: Storage,
    private readonly queue: PgBoss,
    private readonly mail: Mailer,
    private readonly config: Pick<Config, 'ACCOUNT_DELETION_GRACE_DAYS' | 'EMAIL_VERIFICATION' | 'USERNAME_CHANGES' | 'publicUrl'>,
  ) {}

  options(): AuthOptions {
    return {
      emailVerification: this.config.EMAIL_VERIFICATION,
      usernameChanges: this.config.USERNAME_CHANGES,
      deletionGraceDays: this.config.ACCOUNT_DELETION_GRACE_DAYS,
      externalProvider: this.externalProvider,
    };
  }

  /** Same answer, and no extra wait, whether or not the address belongs to an account. */
  async requestPasswordReset(email: string, ip: string): Promise<Accepted> {
    if (await this.auth.accountLimits.mailRequest('reset', ip, email)) {
      const user = await this.repo.findUserByEmail(email);
      if (user && user.email && !user.deletion_scheduled_at) await this.emails.sendPasswordReset(user, user.email);
    }
    return { message: NEUTRAL_RESET_ANSWER };
  }

  /** Spends the link's token, sets the password and signs the account out everywhere. */
  async resetPassword(token: string, password: string): Promise<void> {
    const passwordHash = await hashPassword(password);
    const userId = await this.db.transaction().execute(async (trx) => {
      const spent = await this.repo.consumeToken(trx, hashToken(token), 'reset_password');
      if (!spent) return null;
      await this.repo.setPasswordHash(trx, spent.user_id, passwordHash);
      // Following the link proves the mailbox is theirs.
      await trx
        .updateTable('users')
        .set({ email_verified_at: sql`coalesce(email_verified_at, now())` })
        .where('id', '=', spent.user_id)
        .where(sql<string>`lower(email)`, '=', spent.email.toLowerCase())
        .execute();
      return spent.user_id;
    });
    if (!userId) throw badRequest('This reset link is invalid, expired or already used; ask for a new one', 'invalid_token');
    await this.auth.signOutEverywhere(userId, 'password_reset');
  }

  async verifyEmail(token: string): Promise<void> {
    try {
      const ok = await this.db.transaction().execute(async (trx) => {
        const spent = await this.repo.consumeToken(trx, hashToken(token), 'verify_email');
        if (!spent) return false;
        return this.repo.markEmailVerified(trx, spent.user_id, spent.email);
      });
      if (!ok) throw badRequest('This confirmation link is invalid, expired or already used; ask for a new one', 'invalid_token');
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('Another account now uses that email address', 'email_taken');
      throw error;
    }
  }

  async resendVerification(email: string, ip: string): Promise<Accepted> {
    if (this.config.EMAIL_VERIFICATION !== 'off' && (await this.auth.accountLimits.mailRequest('verify', ip, email))) {
      const user = await this.repo.findUserByEmail(email);
      if (user && user.email && !user.email_verified_at) await this.emails.sendVerification(user, user.email);
    }
    return { message: NEUTRAL_VERIFY_ANSWER };
  }

  async status(user: AuthUser): Promise<AccountStatus> {
    const row = await this.repo.findUser(user.id);
    if (!row) throw unauthorized('Your account no longer exists', 'invalid_token');
    return {
      email: row.email,
      emailVerified: row.email_verified_at !== null,
      pendingEmail: await this.repo.pendingEmail(user.id),
      hasPassword: row.password_hash !== null,
      twoFactorEnabled: row.totp_enabled_at !== null,
      recoveryCodesLeft: row.totp_enabled_at ? await this.auth.twoFactor.recoveryCodesLeft(user.id) : 0,
      deletionScheduledAt: row.deletion_scheduled_at ? row.deletion_scheduled_at.toISOString() : null,
      notifications: { emailOnNewVideos: row.email_on_new_videos, emailOnComments: row.email_on_comments },
    };
  }

  private async requirePassword(user: AuthUser, password: string | undefined): Promise<void> {
    await this.auth.accountLimits.beforePasswordCheck(user.id);
    const verdict = await this.auth.confirmIdentity(user, password);
    if (verdict === 'sign_in_again')
      throw forbidden('To confirm it is you, sign out and sign in again with your identity provider, then retry within 10 minutes', 'sign_in_again');
    if (verdict === 'wrong_password') {
      await this.auth.accountLimits.passwordCheckFailed(user.id);
      throw forbidden('Your current password is not right', 'wrong_password');
    }
  }

  /** Changes the password and signs out every other session. */
  async changePassword(user: AuthUser, body: ChangePasswordBody): Promise<void> {
    await this.requirePassword(user, body.currentPassword);
    await this.repo.setPasswordHash(this.db, user.id, await hashPassword(body.newPassword));
    await this.auth.signOutEverywhere(user.id, 'password_changed', user.sessionId);
  }

  /** Sends a confirmation link to the new address; the address changes when it is followed (at once with EMAIL_VERIFICATION=off). */
  async changeEmail(user: AuthUser, body: ChangeEmailBody): Promise<Accepted> {
    await this.requirePassword(user, body.password);
    const owner = await this.repo.findUserByEmail(body.email);
    if (owner && owner.id !== user.id) throw conflict('An account with that email already exists', 'email_taken');
    const row = await this.repo.findUser(user.id);
    if (!row) throw unauthorized();
    if (this.config.EMAIL_VERIFICATION === 'off') {
      try {
        await this.db.updateTable('users').set({ email: body.email, email_verified_at: null }).where('id', '=', user.id).execute();
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict('An account with that email already exists', 'email_taken');
        throw error;
      }
      return { message: `Your email address is now ${body.email}.` };
    }
    // Limited per account and address, so a signed-in account cannot be used to flood someone's mailbox.
    if (await this.auth.accountLimits.mailRequest('verify', `user:${user.id}`, body.email)) await this.emails.sendVerification(row, body.email);
    return { message: `We have sent a link to ${body.email}. Your address changes when you open it.` };
  }

  async changeUsername(user: AuthUser, username: string): Promise<User> {
    if (!this.config.USERNAME_CHANGES) throw forbidden('Usernames cannot be changed on this server', 'username_changes_disabled');
    try {
      await this.repo.setUsername(user.id, username);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('That username is taken', 'username_taken');
      throw error;
    }
    return this.auth.me(user);
  }

  async setNotificationPreferences(user: AuthUser, body: NotificationPreferencesBody): Promise<AccountStatus> {
    await this.repo.setNotificationPreferences(user.id, {
      ...(body.emailOnNewVideos === undefined ? {} : { email_on_new_videos: body.emailOnNewVideos }),
      ...(body.emailOnComments === undefined ? {} : { email_on_comments: body.emailOnComments }),
    });
    return this.status(user);
  }

  async beginTwoFactor(user: AuthUser): Promise<TwoFactorSetup> {
    const row = await this.repo.findUser(user.id);
    if (!row) throw unauthorized();
    if (row.totp_enabled_at) throw conflict('Two-factor authentication is already on; turn it off first to enrol again', 'two_factor_enabled');
    return this.auth.twoFactor.begin(user.id, row.username);
  }

  async enableTwoFactor(user: AuthUser, code: string): Promise<RecoveryCodes> {
    await this.auth.accountLimits.beforeSecondFactor(user.id);
    const codes = await this.auth.twoFactor.confirm(user.id, code);
    if (!codes) {
      await this.auth.accountLimits.secondFactorFailed(user.id);
      throw badRequest('That code does not match; check the time on your device and try the current code', 'invalid_two_factor_code');
    }
    return { codes };
  }

  private async requireSecondFactor(user: AuthUser, code: string | undefined): Promise<void> {
    if (!(await this.auth.twoFactor.isEnabled(user.id))) return;
    if (!code) throw forbidden('Enter a code from your authenticator app (or a recovery code)', 'two_factor_code_required');
    await this.auth.accountLimits.beforeSecondFactor(user.id);
    if (!(await this.auth.twoFactor.verify(user.id, code))) {
      await this.auth.accountLimits.secondFactorFailed(user.id);
      throw forbidden('That code is not right (or was already used)', 'invalid_two_factor_code');
    }
  }

  async disableTwoFactor(user: AuthUser, code: string): Promise<void> {
    if (!(await this.auth.twoFactor.isEnabled(user.id))) throw conflict('Two-factor authentication is not on', 'two_factor_disabled');
    await this.requireSecondFactor(user, code);
    await this.auth.twoFactor.disable(user.id);
  }

  async regenerateRecoveryCodes(user: AuthUser, code: string): Promise<RecoveryCodes> {
    if (!(await this.auth.twoFactor.isEnabled(user.id))) throw conflict('Two-factor authentication is not on', 'two_factor_disabled');
    await this.requireSecondFactor(user, code);
    return { codes: await this.auth.twoFactor.regenerateRecoveryCodes(user.id) };
  }

  async exportData(user: AuthUser): Promise<AccountExport> {
    const row = await this.repo.findUser(user.id);
    if (!row) throw unauthorized();
    const data = await this.repo.exportData(user.id);
    const iso = (date: Date) => new Date(date).toISOString();
    return {
      exportedAt: new Date().toISOString(),
      account: { id: row.id, username: row.username, email: row.email, createdAt: iso(row.created_at) },
      channels: data.channels.map((c) => ({ id: c.id, handle: c.handle, name: c.name, description: c.description, createdAt: iso(c.created_at) })),
      videos: data.videos.map((v) => ({
        id: v.id,
        channelId: v.channel_id,
        title: v.title,
        description: v.description,
        tags: v.tags,
        visibility: v.visibility,
        status: v.status,
        createdAt: iso(v.created_at),
        originalFilename: v.source_filename,
        originalUrl: v.source_key ? `${this.config.publicUrl}/api/v1/account/export/originals/${v.id}` : null,
      })),
      comments: data.comments.map((c) => ({ id: c.id, videoId: c.video_id, body: c.body, createdAt: iso(c.created_at) })),
      playlists: data.playlists.map((p) => ({
        id: p.id,
        title: p.title,
        visibility: p.visibility,
        videoIds: data.items.filter((item) => item.playlist_id === p.id).map((item) => item.video_id),
      })),
      subscriptions: data.subscriptions.map((s) => ({ channelId: s.channel_id, createdAt: iso(s.created_at) })),
      watchHistory: data.history.map((h) => ({ videoId: h.video_id, positionSeconds: Number(h.position_seconds), watchedAt: iso(h.watched_at) })),
    };
  }

  /** The uploaded file of one of the user's videos, as it was uploaded. */
  async original(user: AuthUser, videoId: string): Promise<{ body: Readable; size: number; filename: string }> {
    const row = await this.repo.ownedSource(user.id, videoId);
    if (!row?.source_key) throw notFound('This video has no kept original file');
    const object = await this.storage.read(row.source_key);
    if (!object) throw notFound('This video has no kept original file');
    return { body: object.body, size: object.size, filename: row.source_filename ?? `${videoId}.bin` };
  }

  /**
   * Schedules deletion after ACCOUNT_DELETION_GRACE_DAYS (0 = now) and signs out every session. A queued job removes
   * the files and then the rows; during the grace period signing in and cancelling keeps the account.
   */
  async deleteAccount(user: AuthUser, body: DeleteAccountBody): Promise<AccountDeletion> {
    await this.requirePassword(user, body.password);
    await this.requireSecondFactor(user, body.code);
    const at = new Date(Date.now() + this.config.ACCOUNT_DELETION_GRACE_DAYS * 86_400_000);
    await this.repo.scheduleDeletion(user.id, at);
    await this.queue.send(ACCOUNT_DELETE_QUEUE, { userId: user.id }, { startAfter: at, retryLimit: 10, retryDelay: 30, retryBackoff: true });
    await this.auth.signOutEverywhere(user.id, 'account_deleted');
    return { deletionScheduledAt: at.toISOString() };
  }

  async cancelDeletion(user: AuthUser): Promise<AccountStatus> {
    if (!(await this.repo.cancelDeletion(user.id))) throw conflict('This account is not scheduled for deletion (or it is too late)', 'not_scheduled');
    return this.status(user);
  }

  /**
   * The deletion job. Files first, rows last: if a storage call fails the job is retried with every row still there to
   * say what is left to remove. Does nothing when the deletion was cancelled or has already happened.
   */
  async purgeAccount(userId: string): Promise<'deleted' | 'skipped'> {
    const row = await this.repo.findUser(userId);
    if (!row?.deletion_scheduled_at || row.deletion_scheduled_at.getTime() > Date.now()) return 'skipped';
    const storage = this.storage;
    const files = await this.repo.storedFiles(userId);
    for (const video of files.videos) {
      await storage.deletePrefix(`videos/${video.id}`);
      for (const key of [video.source_key, uploadKeyFor(video.id), `${uploadKeyFor(video.id)}.json`, `${uploadKeyFor(video.id)}.info`]) {
        if (key) await storage.delete(key);
      }
    }
    for (const key of files.channelKeys) await storage.delete(key);
    // Tokens from the external issuer map to users through a short cache; forget this one now.
    for (const identity of await this.repo.externalIdentities(userId)) await this.cache.del(`oidc-user:${identity.issuer}:${identity.subject}`);
    // Through the video service: cancels queued transcodes and drops cached copies of each video.
    const owner: AuthUser = { id: userId, role: row.role, sessionId: null };
    for (const video of files.videos) await this.videos.delete(video.id, owner);
    await this.repo.deleteUser(userId);
    return 'deleted';
  }

  /** Safety net run hourly: purges accounts whose date has passed even if their delayed job was lost. */
  async purgeDueAccounts(): Promise<number> {
    let purged = 0;
    for (const userId of await this.repo.dueForDeletion()) if ((await this.purgeAccount(userId)) === 'deleted') purged++;
    return purged;
  }

  /** Job: emails subscribers who were notified in the app about this video and want email too. */
  async emailNewVideo(videoId: string): Promise<number> {
    const rows = await this.repo.pendingNewVideoEmails(videoId, this.config.EMAIL_VERIFICATION !== 'off');
    for (const row of rows) {
      await this.mail.send(
        newVideoMessage(row.email!, row.channel_name, row.title, `${this.config.publicUrl}/watch/${videoId}`, `${this.config.publicUrl}/settings`),
      );
      await this.repo.markEmailed(row.id);
    }
    return rows.length;
  }

  /** Job: emails a video's owner about a new comment, once. */
  async emailComment(commentId: string): Promise<boolean> {
    const row = await this.repo.commentEmailRecipient(commentId, this.config.EMAIL_VERIFICATION !== 'off');
    if (!row) return false;
    if (!(await this.cache.setIfAbsent(`comment-emailed:${commentId}`, '1', 7 * 86_400))) return false;
    const excerpt = row.body.length > 500 ? `${row.body.slice(0, 500)}…` : row.body;
    try {
      const settingsLink = `${this.config.publicUrl}/settings`;
      await this.mail.send(
        row.held
          ? heldCommentMessage(row.email!, row.author_name, row.title, excerpt, `${this.config.publicUrl}/studio#held-comments`, settingsLink)
          : newCommentMessage(row.email!, row.author_name, row.title, excerpt, `${this.config.publicUrl}/watch/${row.video_id}`, settingsLink),
      );
    } catch (error) {
      await this.cache.del(`comment-emailed:${commentId}`);
      throw error;
    }
    return true;
  }
}
