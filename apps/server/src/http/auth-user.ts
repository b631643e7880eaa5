/** Who made a request, once its bearer token has been checked (by auth/, through `request.server.services.auth`). */
export interface AuthUser {
  id: string;
  role: 'user' | 'admin';
  /** Our own session, or null for tokens from the external OIDC issuer. */
  sessionId: string | null;
}
