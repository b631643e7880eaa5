/**
 * Account journeys end to end in Chromium against the real server, a real SMTP server and a real OpenID Provider, all
 * on loopback: password reset once and only once, two-factor sign-in, account deletion removing stored files, and
 * sign-in through the identity provider creating or linking the account.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR, PASSWORD, REPO_ROOT, screenshot, serverHelperUrl, signIn, uniqueName, type RunningTestApp } from './support/web-app.ts';

interface ReceivedMail {
  subject: string;
  text: string;
}
interface ServerSmtpHelpers {
  startSmtpServer(): Promise<{
    url: string;
    waitForMail(to: string, subject?: RegExp): Promise<ReceivedMail>;
    mailTo(to: string): ReceivedMail[];
    close(): Promise<void>;
  }>;
  linkIn(mail: ReceivedMail, path: string): { url: string; token: string };
}
interface ServerOidcHelpers {
  startOpenIdProvider(
    redirectUri: string,
    identities?: Record<string, { email: string; emailVerified: boolean; username: string }>,
  ): Promise<{ issuer: string; clientId: string; clientSecret: string; close(): Promise<void> }>;
}
interface ServerTotpHelpers {
  currentTotpCode(secret: string, timestamp?: number): string;
}
interface ServerMediaHelpers {
  FAST_TRANSCODE_ENV: Record<string, string>;
  makeVideo(dir: string, name: string, options?: { seconds?: number; width?: number; height?: number }): Promise<string>;
}
interface ServerVideoHelpers {
  uploadVideo(t: RunningTestApp, token: string, file: string, body?: Record<string, unknown>): Promise<{ id: string; status: string }>;
}
/** The parts of the server's TestApp this file uses. */
interface AccountsTestApp extends RunningTestApp {
  infra: { storage: { list(prefix: string): Promise<string[]> } };
}
interface ServerAppHelpers {
  startTestApp(env: Record<string, string>, role: 'all', options: { withWorker: boolean }): Promise<AccountsTestApp>;
}

/**
 * Like support/web-app.ts's startWebApp, but on a port chosen up front: the identity provider must know the
 * redirect URI (under PUBLIC_URL) before the server starts.
 */
interface AccountsWebApp {
  testApp: AccountsTestApp;
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

async function startAccountsWebApp(env: Record<string, string>, port: number): Promise<AccountsWebApp> {
  if (!existsSync(path.join(DIST_DIR, 'index.html'))) execFileSync('npm', ['run', 'build:web'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const helpers = (await import(serverHelperUrl('helpers/app.ts'))) as ServerAppHelpers;
  const testApp = await helpers.startTestApp({ WEB_DIST_DIR: DIST_DIR, ...env }, 'all', { withWorker: true });
  const baseUrl = await testApp.app.listen({ port, host: '127.0.0.1' });
  const browser: Browser = await chromium.launch({
    executablePath: process.env.TEST_CHROMIUM_PATH || '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    testApp,
    async newPage() {
      const context = await browser.newContext({ baseURL: baseUrl });
      context.setDefaultTimeout(15_000);
      return { context, page: await context.newPage() };
    },
    async close() {
      await browser.close();
      await testApp.close();
    },
  };
}

let web: AccountsWebApp | undefined;
let smtp: Awaited<ReturnType<ServerSmtpHelpers['startSmtpServer']>> | undefined;
let idp: Awaited<ReturnType<ServerOidcHelpers['startOpenIdProvider']>> | undefined;
let smtpHelpers: ServerSmtpHelpers;
let totp: ServerTotpHelpers;
let workDir = '';
const LINDA = uniqueName('linda');

function running(): AccountsWebApp {
  if (!web) throw new Error('server not started');
  return web;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'tube-web-accounts-'));
  smtpHelpers = (await import(serverHelperUrl('helpers/smtp.ts'))) as ServerSmtpHelpers;
  totp = (await import(serverHelperUrl('../src/auth/two-factor.ts'))) as ServerTotpHelpers;
  const oidc = (await import(serverHelperUrl('helpers/oidc-provider.ts'))) as ServerOidcHelpers;
  const media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
  // The provider redirects to PUBLIC_URL, so the app listens on a port chosen up front (in this file's range).
  const port = 46_000 + Math.floor(Math.random() * 1000);
  const publicUrl = `http://127.0.0.1:${port}`;
  smtp = await smtpHelpers.startSmtpServer();
  idp = await oidc.startOpenIdProvider(`${publicUrl}/api/v1/auth/oidc/callback`, {
    [LINDA]: { email: `${LINDA}@example.test`, emailVerified: true, username: 'linda-at-idp' },
  });
  web = await startAccountsWebApp(
    {
      ...media.FAST_TRANSCODE_ENV,
      PUBLIC_URL: publicUrl,
      SMTP_URL: smtp.url,
      AUTH_OIDC_ISSUER: idp.issuer,
      AUTH_OIDC_CLIENT_ID: idp.clientId,
      AUTH_OIDC_CLIENT_SECRET: idp.clientSecret,
      AUTH_OIDC_PROVIDER_NAME: 'Example ID',
    },
    port,
  );
});

afterAll(async () => {
  await web?.close();
  await idp?.close();
  await smtp?.close();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Registers through the API and confirms the address by following the emailed link. */
async function verifiedAccount(page: Page, username: string): Promise<void> {
  const registration = await page.request.post('/api/v1/auth/register', { data: { username, email: `${username}@example.test`, password: PASSWORD } });
  expect(registration.status()).toBe(201);
  const { url } = smtpHelpers.linkIn(await smtp!.waitForMail(`${username}@example.test`, /Confirm/), '/verify-email');
  await page.goto(url);
  await page.getByText('Your email address is confirmed.').waitFor();
}

async function signOut(page: Page): Promise<void> {
  await page.getByTestId('avatar-button').click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();
}

describe('account journeys in Chromium', () => {
  it('resets a forgotten password through the emailed link, which works once and only once', async () => {
    const { context, page } = await running().newPage();
    const username = uniqueName('forgot');
    await verifiedAccount(page, username);

    await page.goto('/signin');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.getByLabel('Email').fill(`${username}@example.test`);
    await page.getByRole('button', { name: 'Send link' }).click();
    await page.getByText('If an account uses that address').waitFor();

    const { url } = smtpHelpers.linkIn(await smtp!.waitForMail(`${username}@example.test`, /Reset your Tube password/), '/reset-password');
    await page.goto(url);
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('Your password has been changed').waitFor();

    // The same link a second time is refused, and the password it tried to set does not work.
    await page.goto(url);
    await page.getByLabel('New password').fill('someone else entirely');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('invalid, expired or already used');

    await page.goto('/signin');
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username/email or password');
    await signIn(page, username, 'a brand new password');
    await context.close();
  });

  it('changes the password in settings: a wrong current password is refused in words, the right one changes it', async () => {
    const { context, page } = await running().newPage();
    const username = uniqueName('rekey');
    await verifiedAccount(page, username);
    await signIn(page, username);

    await page.goto('/settings');
    const section = page.getByRole('region', { name: 'Password', exact: true });
    await section.getByLabel('Current password').fill('not my password at all');
    await section.getByLabel('New password').fill('a freshly chosen password');
    await section.getByRole('button', { name: 'Change password' }).click();
    await expect.poll(() => section.getByRole('alert').textContent()).toBe('Your current password is not right');
    // The refused change left the old password working (checked from another browser, so this one keeps its session).
    const elsewhere = await running().newPage();
    const stillOld = await elsewhere.page.request.post('/api/v1/auth/login', { data: { login: username, password: PASSWORD } });
    expect(stillOld.status()).toBe(200);
    await elsewhere.context.close();

    await section.getByLabel('Current password').fill(PASSWORD);
    await section.getByLabel('New password').fill('a freshly chosen password');
    await section.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').getByText('Password changed').waitFor();
    expect(await section.getByRole('alert').count()).toBe(0);
    expect(await section.getByLabel('Current password').inputValue()).toBe('');
    await signOut(page);

    await page.goto('/signin');
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username/email or password');
    await signIn(page, username, 'a freshly chosen password');
    await context.close();
  });

  it('turns on two-factor authentication in settings; signing in then needs the code', async () => {
    const { context, page } = await running().newPage();
    const username = uniqueName('twofa');
    await verifiedAccount(page, username);
    await signIn(page, username);

    await page.goto('/settings');
    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    await screenshot(page, 'settings-two-factor-setup');
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    await page.getByLabel('Code from the app').fill(totp.currentTotpCode(secret, Date.now() - 30_000));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByTestId('recovery-codes').locator('li').count()).toBe(10);
    const recoveryCode = (await page.getByTestId('recovery-codes').locator('code').first().textContent())!.trim();
    await screenshot(page, 'settings-two-factor-on');
    await signOut(page);

    await page.goto('/signin');
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
    // The password alone signed nobody in.
    expect(await page.getByTestId('avatar-button').count()).toBe(0);
    await page.getByLabel('Verification code').fill('000000');
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not right');
    await page.getByLabel('Verification code').fill(totp.currentTotpCode(secret));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('avatar-button').waitFor();
    await signOut(page);

    // A recovery code works too, once.
    await page.goto('/signin');
    await page.getByLabel('Username or email').fill(username);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Verification code').fill(recoveryCode);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('avatar-button').waitFor();
    await context.close();
  });

  it('deletes the account from settings and its video files leave storage', async () => {
    const { context, page } = await running().newPage();
    const username = uniqueName('leaver');
    await verifiedAccount(page, username);
    const login = await page.request.post('/api/v1/auth/login', { data: { login: username, password: PASSWORD } });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const media = (await import(serverHelperUrl('helpers/media.ts'))) as ServerMediaHelpers;
    const videos = (await import(serverHelperUrl('helpers/videos.ts'))) as ServerVideoHelpers;
    const clip = await media.makeVideo(workDir, 'leaver.mp4', { seconds: 2, width: 320, height: 180 });
    const video = await videos.uploadVideo(running().testApp, accessToken, clip, { title: 'Soon gone' });
    expect(video.status).toBe('ready');
    const storage = running().testApp.infra.storage;
    expect((await storage.list(`videos/${video.id}`)).length).toBeGreaterThan(0);

    await signIn(page, username);
    await page.goto('/settings');
    const section = page.getByRole('region', { name: 'Delete account' });
    await section.getByLabel('Password').fill(PASSWORD);
    await section.getByRole('button', { name: 'Delete my account' }).click();
    await expect.poll(() => section.getByRole('alert').textContent()).toContain('Tick the box');
    await section.getByLabel('I understand').check();
    await section.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.getByRole('banner').getByRole('link', { name: 'Sign in' }).waitFor();

    await expect.poll(async () => (await storage.list(`videos/${video.id}`)).length, { timeout: 20_000 }).toBe(0);
    // The purge removes the files first, then the rows: until the rows are gone a sign-in is refused as deleted (403).
    const signInAgain = async () => (await page.request.post('/api/v1/auth/login', { data: { login: username, password: PASSWORD } })).status();
    await expect.poll(signInAgain, { timeout: 20_000 }).toBe(401);
    expect((await page.request.get(`/api/v1/videos/${video.id}`)).status()).toBe(404);
    await context.close();
  });

  it('signs in through the identity provider: creates an account, or links the one with the same verified email', async () => {
    const { context, page } = await running().newPage();
    const newcomer = uniqueName('idp');
    await page.goto('/signin');
    await page.getByRole('link', { name: 'Sign in with Example ID' }).waitFor();
    await screenshot(page, 'sign-in-with-provider');
    await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
    // The provider's own login and consent pages.
    await page.locator('input[name="login"]').fill(newcomer);
    await page.locator('input[name="password"]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('avatar-button').waitFor();
    await page.getByTestId('avatar-button').click();
    await expect.poll(() => page.locator('.user-menu-name').textContent()).toBe(newcomer);
    await context.close();

    // An existing Tube account with the same, verified, email is linked instead of duplicated (the provider's
    // username for it, linda-at-idp, would have named a new account).
    const tube = await running().newPage();
    await verifiedAccount(tube.page, LINDA);
    await tube.context.close();
    const { context: fresh, page: second } = await running().newPage();
    await linkThroughProvider(second);
    await fresh.close();
  });
});

/** Signs in through the provider as LINDA and checks that Tube shows the existing account. */
async function linkThroughProvider(page: Page): Promise<void> {
  await page.goto('/signin');
  await page.getByRole('link', { name: 'Sign in with Example ID' }).click();
  await page.locator('input[name="login"]').fill(LINDA);
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByTestId('avatar-button').click();
  await expect.poll(() => page.locator('.user-menu-name').textContent()).toBe(LINDA);
}
