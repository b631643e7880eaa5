import type { TokenStore } from './auth-client.ts';

const TOKEN_DATABASE = 'tube-auth';
const TOKEN_OBJECT_STORE = 'tokens';
const REFRESH_TOKEN_RECORD = 'refresh';

function promisify<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function completion(transaction: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
    transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/**
 * The refresh token in IndexedDB. Not localStorage: Chromium propagates localStorage writes to other
 * tabs' processes asynchronously, so a tab that takes the refresh lock right after another released
 * it could still read the spent token and replay it (revoking the session). An IndexedDB write is
 * committed before `complete` fires, and every later read transaction, in any tab, sees it.
 */
async function openIndexedDbTokenStore(): Promise<TokenStore> {
  const opening = indexedDB.open(TOKEN_DATABASE, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(TOKEN_OBJECT_STORE);
  const database = await promisify(opening);
  return {
    async read() {
      const transaction = database.transaction(TOKEN_OBJECT_STORE, 'readonly');
      const value: unknown = await promisify(transaction.objectStore(TOKEN_OBJECT_STORE).get(REFRESH_TOKEN_RECORD));
      return typeof value === 'string' ? value : null;
    },
    async write(token) {
      const transaction = database.transaction(TOKEN_OBJECT_STORE, 'readwrite');
      const store = transaction.objectStore(TOKEN_OBJECT_STORE);
      if (token === null) store.delete(REFRESH_TOKEN_RECORD);
      else store.put(token, REFRESH_TOKEN_RECORD);
      await completion(transaction);
    },
  };
}

/** Used when IndexedDB is unavailable (some private modes): the session lasts as long as the tab. */
export function memoryTokenStore(): TokenStore {
  let token: string | null = null;
  return {
    read: async () => token,
    write: async (value) => {
      token = value;
    },
  };
}

/** IndexedDB when it works, memory otherwise; resolved lazily so start-up never blocks on it. */
export function browserTokenStore(): TokenStore {
  let opened: Promise<TokenStore> | null = null;
  const store = () => {
    opened ??= openIndexedDbTokenStore().catch(() => memoryTokenStore());
    return opened;
  };
  return {
    read: async () => (await store()).read(),
    write: async (token) => (await store()).write(token),
  };
}
