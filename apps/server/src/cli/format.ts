import type { Video } from '@tube/shared';

/** "720p 60% ~40 s" (or "~3 min"): a rung's share encoded and, once one is known, the time until it is complete. */
export function formatRungProgress(rung: Video['rungProgress'][number]): string {
  const done = `${rung.name} ${Math.floor(Math.min(1, rung.progress) * 100)}%`;
  if (rung.progress >= 1 || rung.etaSeconds === null) return done;
  const eta = rung.etaSeconds < 60 ? `${Math.max(1, Math.ceil(rung.etaSeconds))} s` : `${Math.ceil(rung.etaSeconds / 60)} min`;
  return `${done} ~${eta}`;
}
