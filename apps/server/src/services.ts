import { AuthService } from './auth/auth.service.ts';
import type { Infra } from './infra/infra.ts';
import { VideoService } from './videos/video.service.ts';

/** Domain services, built once per process from the shared infrastructure. */
export interface Services {
  auth: AuthService;
  videos: VideoService;
}

export async function createServices(infra: Infra): Promise<Services> {
  const auth = new AuthService(infra.db, infra.cache, infra.config);
  await auth.init();
  return { auth, videos: new VideoService(infra) };
}

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
    infra: Infra;
  }
}
