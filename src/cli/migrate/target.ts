/**
 * Opening the target: a MongoDB store (the driver loaded only then) with its maintenance operations, or
 * a SQLite store with its file opened writable for what only the store may write; and how to close both.
 * Apart from the command so that the copy's writing side is set up in one place for either kind.
 */
import { openSqliteStore } from '../../adapters/store/sqlite/store.js';
import type { Store } from '../../core/ports.js';
import type { Endpoint } from './args.js';
import type { TargetAdmin } from './contract.js';
import { SqliteFile } from './sqlite-file.js';

/** Opens the target as a store and its admin operations, and how to close both. */
export async function openTarget(
  to: Endpoint,
  dryRun: boolean,
  serverSelectionTimeoutMs: number,
): Promise<{ store: Store; admin: TargetAdmin; close: () => Promise<void> }> {
  if (to.kind === 'mongodb') {
    // Loaded only here: nothing else of this command needs the driver.
    const { openMongoStore } = await import('../../adapters/store/mongo/store.js');
    const store = await openMongoStore({
      uri: to.uri,
      serverSelectionTimeoutMs,
      createIndexes: !dryRun,
    });
    return { store, admin: store.maintenance, close: () => store.close() };
  }
  const store = await openSqliteStore({ path: to.path });
  const file = new SqliteFile(to.path, { readonly: false });
  return {
    store,
    admin: file,
    close: async () => {
      file.close();
      await store.close();
    },
  };
}
