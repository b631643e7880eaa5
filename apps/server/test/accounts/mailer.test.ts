/** The mail drivers: SMTP with host/port/user/password (real AUTH on a loopback server), and the log-only fallback. */
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createMailer } from '../../src/infra/mail/mailer.ts';

const received: { user: string | undefined; to: string[]; subject: string; text: string }[] = [];
let server: SMTPServer;
let port = 0;

beforeAll(async () => {
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 's3cret') callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            user: typeof session.user === 'string' ? session.user : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const logger = pino({ level: 'silent' });

describe('mail drivers', () => {
  it('sends through SMTP_HOST with user and password, from MAIL_FROM', async () => {
    const config = loadConfig({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(port),
      SMTP_USER: 'mailer',
      SMTP_PASSWORD: 's3cret',
      MAIL_FROM: 'Tube <tube@example.test>',
    });
    const mailer = createMailer(config, logger);
    expect(mailer.driver).toBe('smtp');
    await mailer.verify();
    await mailer.send({ to: 'someone@example.test', subject: 'Hello', text: 'Line one\nhttps://tube.example/reset-password?token=abc' });
    await mailer.close();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ user: 'mailer', to: ['someone@example.test'], subject: 'Hello' });
    expect(received[0]!.text).toContain('https://tube.example/reset-password?token=abc');
  });

  it('fails loudly with a wrong password (the caller logs it; nothing is sent)', async () => {
    const mailer = createMailer(loadConfig({ SMTP_URL: `smtp://mailer:wrong@127.0.0.1:${port}` }), logger);
    await expect(mailer.send({ to: 'x@example.test', subject: 'No', text: 'no' })).rejects.toThrow();
    await mailer.close();
    expect(received.filter((m) => m.subject === 'No')).toHaveLength(0);
  });

  it('falls back to the log without SMTP settings, with the body only outside production', async () => {
    const lines: Record<string, unknown>[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    await createMailer(loadConfig({ NODE_ENV: 'development' }), capture).send({ to: 'dev@example.test', subject: 'Dev', text: 'secret link' });
    await createMailer(loadConfig({ NODE_ENV: 'production' }), capture).send({ to: 'ops@example.test', subject: 'Prod', text: 'secret link' });
    const dev = lines.find((l) => l.subject === 'Dev');
    const prod = lines.find((l) => l.subject === 'Prod');
    expect(dev).toMatchObject({ to: 'dev@example.test', text: 'secret link' });
    expect(prod).toMatchObject({ to: 'ops@example.test' });
    expect(prod).not.toHaveProperty('text');
    expect(lines.some((l) => typeof l.msg === 'string' && l.msg.includes('no SMTP_URL or SMTP_HOST'))).toBe(true);
  });

  it('refuses SMTP_URL and SMTP_HOST together, and an unknown EMAIL_VERIFICATION', () => {
    expect(() => loadConfig({ SMTP_URL: 'smtp://a', SMTP_HOST: 'b' })).toThrow(ConfigError);
    expect(() => loadConfig({ EMAIL_VERIFICATION: 'sometimes' })).toThrow('EMAIL_VERIFICATION must be one of required, optional, off');
  });
});
