import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { Mailer, MailMessage } from '../infra/mail/mailer.ts';
import { hashRefreshToken as hashToken, newRefreshToken as newToken } from '../auth/tokens.ts';
import type { AccountRepository, EmailTokenPurpose } from './account.repository.ts';
import { passwordResetMessage, verificationMessage } from './account-messages.ts';

export { hashToken };

/**
 * Issues the single-use links Tube sends by email (256 random bits; only the SHA-256 is stored) and sends them.
 * Sending happens after the request has been answered: how long an SMTP server takes must not tell a caller whether
 * an account exists, and the link's secret never sits in the job table.
 */
export class AccountEmails {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly repo: AccountRepository,
    private readonly mail: Mailer,
    private readonly config: Config,
    private readonly logger: Logger,
  ) {}

  async sendVerification(user: { id: string; username: string }, email: string): Promise<void> {
    const token = await this.issue(user.id, 'verify_email', email, this.config.EMAIL_TOKEN_TTL);
    const link = `${this.config.publicUrl}/verify-email?token=${encodeURIComponent(token)}`;
    this.sendLater(verificationMessage(email, user.username, link, Math.round(this.config.EMAIL_TOKEN_TTL / 3600)));
  }

  async sendPasswordReset(user: { id: string; username: string }, email: string): Promise<void> {
    const token = await this.issue(user.id, 'reset_password', email, this.config.PASSWORD_RESET_TTL);
    const link = `${this.config.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    this.sendLater(passwordResetMessage(email, user.username, link, Math.round(this.config.PASSWORD_RESET_TTL / 60)));
  }

  /** Resolves once every email handed to the mailer so far has been sent or has failed (shutdown and tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  private async issue(userId: string, purpose: EmailTokenPurpose, email: string, ttlSeconds: number): Promise<string> {
    const token = newToken();
    await this.repo.insertToken({ tokenHash: hashToken(token), userId, purpose, email, expiresAt: new Date(Date.now() + ttlSeconds * 1000) });
    return token;
  }

  private sendLater(message: MailMessage): void {
    const sending = this.mail
      .send(message)
      .catch((error: unknown) => this.logger.warn({ err: error, subject: message.subject }, 'could not send email'))
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }
}
