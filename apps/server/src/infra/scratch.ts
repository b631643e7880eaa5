import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Removes scratch directories left by work that no longer runs (a killed worker's source copy and partial
 * output). Only entries whose name matches `pattern` are considered, so a directory another component keeps
 * under the same root is never touched; `isLive` decides, per matching name, whether a live job still owns it.
 * List first, ask second: a directory created after the listing is not considered, and one listed was created
 * after its job's claim committed, so the claim is visible to `isLive`. Returns the names removed.
 */
export async function removeStaleScratch(root: string, pattern: RegExp, isLive: (names: string[]) => Promise<Set<string>>): Promise<string[]> {
  let names: string[];
  try {
    names = (await readdir(root)).filter((name) => pattern.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  if (names.length === 0) return [];
  const live = await isLive(names);
  const stale = names.filter((name) => !live.has(name));
  for (const name of stale) await rm(path.join(root, name), { recursive: true, force: true });
  return stale;
}
