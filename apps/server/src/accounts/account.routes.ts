import { Type } from 'typebox';
import {
  Accepted,
  AccountDeletion,
  AccountExport,
  AccountStatus,
  AuthOptions,
  ChangeEmailBody,
  ChangePasswordBody,
  ChangeUsernameBody,
  DeleteAccountBody,
  EmailBody,
  EmailTokenBody,
  IdParams,
  NotificationPreferencesBody,
  PasswordResetBody,
  RecoveryCodes,
  TwoFactorCodeBody,
  TwoFactorSetup,
  User,
} from '@tube/shared';
import type { App } from '../http/app-types.ts';
import { errorResponses } from '../http/route-schema.ts';
import { clientInfo } from '../http/auth-context.ts';

const errors = errorResponses(400, 401, 403, 404, 409, 429);
const secured = { tags: ['account'] };

export async function accountRoutes(app: App): Promise<void> {
  const accounts = app.services.accounts;

  app.get('/auth/options', { schema: { tags: ['auth'], summary: 'How sign-up and sign-in work on this server', response: { 200: AuthOptions } } }, async () =>
    accounts.options(),
  );

  app.post(
    '/auth/password-reset',
    {
      schema: {
        tags: ['auth'],
        summary: 'Email a password reset link (same answer whether or not the address is known)',
        body: EmailBody,
        response: { 202: Accepted, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await accounts.requestPasswordReset(request.body.email, clientInfo(request).ip ?? 'unknown')),
  );

  app.post(
    '/auth/password-reset/confirm',
    {
      schema: {
        tags: ['auth'],
        summary: 'Choose a new password with the emailed link (works once); signs out every session',
        body: PasswordResetBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await accounts.resetPassword(request.body.token, request.body.password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/verify-email',
    {
      schema: {
        tags: ['auth'],
        summary: 'Confirm an email address with the emailed link (works once)',
        body: EmailTokenBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await accounts.verifyEmail(request.body.token);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/verify-email/resend',
    {
      schema: {
        tags: ['auth'],
        summary: 'Send a new confirmation link (same answer whether or not the address is known)',
        body: EmailBody,
        response: { 202: Accepted, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await accounts.resendVerification(request.body.email, clientInfo(request).ip ?? 'unknown')),
  );

  app.get(
    '/account',
    {
      config: { auth: 'required' },
      schema: { ...secured, summary: 'Email, 2FA, notification and deletion state of my account', response: { 200: AccountStatus, ...errors } },
    },
    async (request) => accounts.status(request.user),
  );

  app.put(
    '/account/password',
    {
      config: { auth: 'required' },
      schema: { ...secured, summary: 'Change my password (signs out my other sessions)', body: ChangePasswordBody, response: { 204: Type.Null(), ...errors } },
    },
    async (request, reply) => {
      await accounts.changePassword(request.user, request.body);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/account/email',
    {
      config: { auth: 'required' },
      schema: {
        ...secured,
        summary: 'Change my email address (it changes once the link sent to it is opened)',
        body: ChangeEmailBody,
        response: { 202: Accepted, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await accounts.changeEmail(request.user, request.body)),
  );

  app.put(
    '/account/username',
    {
      config: { auth: 'required' },
      schema: {
        ...secured,
        summary: 'Change my username (unique ignoring case; when the server allows it)',
        body: ChangeUsernameBody,
        response: { 200: User, ...errors },
      },
    },
    async (request) => accounts.changeUsername(request.user, request.body.username),
  );

  app.patch(
    '/account/notifications',
    {
      config: { auth: 'required' },
      schema: { ...secured, summary: 'Which notifications also come by email', body: NotificationPreferencesBody, response: { 200: AccountStatus, ...errors } },
    },
    async (request) => accounts.setNotificationPreferences(request.user, request.body),
  );

  app.post(
    '/account/two-factor/setup',
    {
      config: { auth: 'required' },
      schema: { ...secured, summary: 'Start two-factor enrolment: a new secret as otpauth URI and QR code', response: { 200: TwoFactorSetup, ...errors } },
    },
    async (request) => accounts.beginTwoFactor(request.user),
  );

  app.post(
    '/account/two-factor/enable',
    {
      config: { auth: 'required' },
      schema: {
        ...secured,
        summary: 'Turn two-factor on with a code from the new secret; returns recovery codes once',
        body: TwoFactorCodeBody,
        response: { 200: RecoveryCodes, ...errors },
      },
    },
    async (request) => accounts.enableTwoFactor(request.user, request.body.code),
  );

  app.post(
    '/account/two-factor/disable',
    {
      config: { auth: 'required' },
      schema: {
        ...secured,
        summary: 'Turn two-factor off (needs a current code or a recovery code)',
        body: TwoFactorCodeBody,
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      await accounts.disableTwoFactor(request.user, request.body.code);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/account/two-factor/recovery-codes',
    {
      config: { auth: 'required' },
      schema: { ...secured, summary: 'Replace my recovery codes (needs a current code)', body: TwoFactorCodeBody, response: { 200: RecoveryCodes, ...errors } },
    },
    async (request) => accounts.regenerateRecoveryCodes(request.user, request.body.code),
  );

  app.get(
    '/account/export',
    {
      config: { auth: 'required' },
      schema: {
        ...secured,
        summary: 'Everything Tube keeps about me, as JSON (with links to my original uploads)',
        response: { 200: AccountExport, ...errors },
      },
    },
    async (request, reply) => {
      const data = await accounts.exportData(request.user);
      reply.header('content-disposition', `attachment; filename="tube-export-${data.account.username}.json"`);
      reply.header('cache-control', 'no-store');
      return data;
    },
  );

  app.get(
    '/account/export/originals/:id',
    { config: { auth: 'required' }, schema: { ...secured, summary: 'Download the original upload of one of my videos', params: IdParams } },
    async (request, reply) => {
      const original = await accounts.original(request.user, request.params.id);
      const asciiName = original.filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-length', String(original.size))
        .header('content-disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(original.filename)}`)
        .header('cache-control', 'no-store')
        .send(original.body);
    },
  );

  app.delete(
    '/account',
    {
      config: { auth: 'required' },
      schema: {
        ...secured,
        summary: 'Delete my account: videos, comments, channels and files (after the grace period); signs out every session',
        body: DeleteAccountBody,
        response: { 202: AccountDeletion, ...errors },
      },
    },
    async (request, reply) => reply.code(202).send(await accounts.deleteAccount(request.user, request.body ?? {})),
  );

  app.post(
    '/account/deletion/cancel',
    {
      config: { auth: 'required' },
      schema: { ...secured, summary: 'Keep my account (during the deletion grace period)', response: { 200: AccountStatus, ...errors } },
    },
    async (request) => accounts.cancelDeletion(request.user),
  );
}
