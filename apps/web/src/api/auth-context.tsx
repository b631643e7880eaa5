import { createContext, useContext, useSyncExternalStore, type ReactNode } from 'react';
import type { AuthClient, AuthSnapshot } from './auth-client.ts';

const AuthClientContext = createContext<AuthClient | null>(null);

export function AuthProvider({ client, children }: { client: AuthClient; children: ReactNode }) {
  return <AuthClientContext.Provider value={client}>{children}</AuthClientContext.Provider>;
}

export function useAuthClient(): AuthClient {
  const client = useContext(AuthClientContext);
  if (!client) throw new Error('useAuthClient needs an <AuthProvider>');
  return client;
}

export function useAuth(): AuthSnapshot {
  const client = useAuthClient();
  return useSyncExternalStore(client.subscribe, client.getSnapshot);
}
