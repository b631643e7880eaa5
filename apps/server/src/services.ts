import { AuthService } from './auth/auth.service.ts';
import type { Infra } from './infra/infra.ts';

/** Domain services, built once per process from the shared infrastructure. */
export interface Services {
  auth: AuthService;
}

export async function createServices(infra: Infra): Promise<Services> {
  const auth = new AuthService(infra.db, infra.cache, infra.config);
  await auth.init();
  return { auth };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    infra: Infra;
  }
}
