import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Sends email. The SMTP driver talks to a real server; the log driver only writes the message to the log. */
export interface Mailer {
  readonly driver: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
  verify(): Promise<void>;
  close(): Promise<void>;
}

export class SmtpMailer implements Mailer {
  readonly driver = 'smtp';
  private readonly transport: Transporter;

  constructor(
    options: string | { host: string; port: number; secure: boolean; user?: string; password?: string },
    private readonly from: string,
  ) {
    this.transport =
      typeof options === 'string'
        ? nodemailer.createTransport(options)
        : nodemailer.createTransport({
            host: options.host,
            port: options.port,
            secure: options.secure,
            ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
            connectionTimeout: 10_000,
            greetingTimeout: 10_000,
            socketTimeout: 30_000,
          });
  }

  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.text });
  }

  async verify(): Promise<void> {
    await this.transport.verify();
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/**
 * Without SMTP settings mail goes to the log. In development the whole message is logged so a developer can click
 * the links; in production only the recipient and subject are, because the body holds single-use secrets.
 */
export class LogMailer implements Mailer {
  readonly driver = 'log';

  constructor(
    private readonly logger: Logger,
    private readonly includeBody: boolean,
  ) {}

  async send(message: MailMessage): Promise<void> {
    this.logger.info({ to: message.to, subject: message.subject, ...(this.includeBody ? { text: message.text } : {}) }, 'email (not sent: no SMTP configured)');
  }

  async verify(): Promise<void> {}

  async close(): Promise<void> {}
}

export function createMailer(config: Config, logger: Logger): Mailer {
  if (config.SMTP_URL) return new SmtpMailer(config.SMTP_URL, config.MAIL_FROM);
  if (config.SMTP_HOST) {
    return new SmtpMailer(
      { host: config.SMTP_HOST, port: config.SMTP_PORT, secure: config.SMTP_SECURE, user: config.SMTP_USER, password: config.SMTP_PASSWORD },
      config.MAIL_FROM,
    );
  }
  if (config.NODE_ENV === 'production') logger.warn('no SMTP_URL or SMTP_HOST: email is not sent, only logged (without its body)');
  return new LogMailer(logger.child({ component: 'mail' }), config.NODE_ENV !== 'production');
}
