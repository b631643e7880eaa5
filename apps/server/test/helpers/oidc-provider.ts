import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdentity {
  email: string;
  emailVerified: boolean;
  username: string;
}

export interface TestOpenIdProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * A real OpenID Provider (the certified `oidc-provider`) on loopback with its built-in development login and consent
 * pages: any login name signs in as that account. `identities` gives accounts their email claims; others get
 * `<login>@idp.example` (verified).
 */
export async function startOpenIdProvider(redirectUri: string, identities: Record<string, TestIdentity> = {}): Promise<TestOpenIdProvider> {
  // The issuer URL holds the port, so the provider is made once the server listens.
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'tube-web';
  const clientSecret = 'tube-web-secret-for-tests';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name'] },
    pkce: { required: () => true },
    async findAccount(_ctx, id) {
      const identity = identities[id] ?? { email: `${id}@idp.example`, emailVerified: true, username: id };
      return {
        accountId: id,
        async claims() {
          return {
            sub: `idp-${id}`,
            email: identity.email,
            email_verified: identity.emailVerified,
            preferred_username: identity.username,
            name: identity.username,
          };
        },
      };
    },
  });
  provider.on('server_error', (_ctx, error) => console.error('oidc-provider error', error));
  handler = provider.callback();
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
