import { queryOptions } from '@tanstack/react-query';
import type {
  Accepted,
  AccountDeletion,
  AccountExport,
  AccountStatus,
  AuthOptions,
  NotificationPreferencesBody,
  RecoveryCodes,
  SessionList,
  TwoFactorSetup,
  User,
} from '@tube/shared';
import { requestJson, requestNoContent, jsonBody, authClient } from '../../api/client.ts';
import { readApiError } from '../../api/errors.ts';

export const authApi = {
  listSessions: () => requestJson<SessionList>('/api/v1/auth/sessions'),
  revokeSession: (id: string) => requestNoContent(`/api/v1/auth/sessions/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  revokeOtherSessions: () => requestNoContent('/api/v1/auth/sessions?keepCurrent=true', { method: 'DELETE' }),
  authOptions: () => requestJson<AuthOptions>('/api/v1/auth/options'),
  requestPasswordReset: (email: string) => requestJson<Accepted>('/api/v1/auth/password-reset', jsonBody('POST', { email })),
  resetPassword: (token: string, password: string) => requestNoContent('/api/v1/auth/password-reset/confirm', jsonBody('POST', { token, password })),
  verifyEmail: (token: string) => requestNoContent('/api/v1/auth/verify-email', jsonBody('POST', { token })),
  resendVerification: (email: string) => requestJson<Accepted>('/api/v1/auth/verify-email/resend', jsonBody('POST', { email })),
  accountStatus: () => requestJson<AccountStatus>('/api/v1/account'),
  changePassword: (currentPassword: string, newPassword: string) =>
    requestNoContent('/api/v1/account/password', jsonBody('PUT', currentPassword ? { currentPassword, newPassword } : { newPassword })),
  changeEmail: (email: string, password: string) => requestJson<Accepted>('/api/v1/account/email', jsonBody('PUT', password ? { email, password } : { email })),
  changeUsername: (username: string) => requestJson<User>('/api/v1/account/username', jsonBody('PUT', { username })),
  setNotificationPreferences: (body: NotificationPreferencesBody) => requestJson<AccountStatus>('/api/v1/account/notifications', jsonBody('PATCH', body)),
  beginTwoFactor: () => requestJson<TwoFactorSetup>('/api/v1/account/two-factor/setup', { method: 'POST' }),
  enableTwoFactor: (code: string) => requestJson<RecoveryCodes>('/api/v1/account/two-factor/enable', jsonBody('POST', { code })),
  disableTwoFactor: (code: string) => requestNoContent('/api/v1/account/two-factor/disable', jsonBody('POST', { code })),
  regenerateRecoveryCodes: (code: string) => requestJson<RecoveryCodes>('/api/v1/account/two-factor/recovery-codes', jsonBody('POST', { code })),
  exportAccount: () => requestJson<AccountExport>('/api/v1/account/export'),
  /** The original upload as a Blob (the link needs the bearer token, so it cannot be a plain <a href>). */
  downloadOriginal: async (url: string) => {
    const response = await authClient.fetch(new URL(url, window.location.origin).pathname);
    if (!response.ok) throw await readApiError(response);
    return response.blob();
  },
  deleteAccount: (password: string, code: string) =>
    requestJson<AccountDeletion>('/api/v1/account', jsonBody('DELETE', { ...(password ? { password } : {}), ...(code ? { code } : {}) })),
  cancelAccountDeletion: () => requestJson<AccountStatus>('/api/v1/account/deletion/cancel', { method: 'POST' }),
};

export const authKeys = {
  authOptions: ['auth-options'] as const,
  account: ['account'] as const,
  sessions: ['sessions'] as const,
};

export const authQueries = {
  /** What the server offers for signing in; it changes only with the server's configuration. */
  authOptions: () => queryOptions({ queryKey: authKeys.authOptions, queryFn: () => authApi.authOptions(), staleTime: 5 * 60_000 }),
  account: () => queryOptions({ queryKey: authKeys.account, queryFn: () => authApi.accountStatus() }),
  sessions: () => queryOptions({ queryKey: authKeys.sessions, queryFn: () => authApi.listSessions() }),
};
