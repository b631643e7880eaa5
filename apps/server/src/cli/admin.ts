import { loadConfig } from '../config.ts';
import { AuthRepository } from '../auth/auth.repository.ts';
import { createDb } from '../infra/db/database.ts';

export const ADMIN_USAGE = `  tube admin grant <username>     make an account an administrator
  tube admin revoke <username>    take administrator rights away
  tube admin list                 print the administrators
  (run against the database in DATABASE_URL, as the server would; no server needs to be running)`;

/**
 * Administrator rights are granted explicitly, by someone with access to the database, never by registering a
 * name. Returns the exit code.
 */
export async function adminCommand(
  action: string | undefined,
  username: string | undefined,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const config = loadConfig(env);
  if (!config.DATABASE_URL) {
    console.error('Set DATABASE_URL to the database the server uses (with the embedded database, use ADMIN_USERNAMES and restart instead)');
    return 64;
  }
  const { db } = createDb(config.DATABASE_URL, 1);
  const repo = new AuthRepository(db);
  try {
    if (action === 'list') {
      for (const name of await repo.listAdmins()) console.log(name);
      return 0;
    }
    if ((action === 'grant' || action === 'revoke') && username) {
      const found = await repo.setRole(username, action === 'grant' ? 'admin' : 'user');
      if (!found) {
        console.error(`No account is called "${username}"`);
        return 1;
      }
      console.log(action === 'grant' ? `${username} is now an administrator` : `${username} is no longer an administrator`);
      return 0;
    }
    console.error(`Usage:\n${ADMIN_USAGE}`);
    return 64;
  } finally {
    await db.destroy();
  }
}
