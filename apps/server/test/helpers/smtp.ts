import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './media.ts';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface TestSmtpServer {
  /** SMTP_URL for the app under test. */
  url: string;
  messages: ReceivedMail[];
  /** Waits for a message to this address (and matching subject), and returns it. */
  waitForMail(to: string, subject?: RegExp, timeoutMs?: number): Promise<ReceivedMail>;
  mailTo(to: string): ReceivedMail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback that keeps every message it receives, parsed. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  const mailTo = (to: string) => messages.filter((m) => m.to.includes(to.toLowerCase()));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    mailTo,
    waitForMail(to, subject, timeoutMs = 10_000) {
      return waitFor(async () => mailTo(to).find((m) => !subject || subject.test(m.subject)), timeoutMs, `an email to ${to}`);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a message that goes to `path` on the app (e.g. /reset-password), and its token. */
export function linkIn(mail: ReceivedMail, path: string): { url: string; token: string } {
  const match = new RegExp(`https?://\\S+${path}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return { url: match[0], token: decodeURIComponent(match[1]!) };
}
