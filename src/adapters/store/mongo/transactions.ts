/**
 * The MongoDB store's transaction plumbing, in one place for every aggregate: direct calls and
 * transactions (one MongoDB transaction each, retried whole by the driver after a transient conflict),
 * failures mapped to StoreErrors, the base every aggregate's operations extend (one session or none),
 * and the helpers they share (counters, racing upserts, limits).
 */
import mongoose, { type ClientSession, type Connection, type Model } from 'mongoose';
import { type OutboxStatus, type Store, StoreError, type StoreTx } from '../../../core/ports.js';
import { assertActive, facade, invoke, type Method, TransactionGuard } from '../shared/methods.js';
import type { CounterDoc } from './mapping.js';
import type { Models } from './schemas.js';

/** Transactions read one snapshot and commit to a majority. */
const TRANSACTION_OPTIONS = {
  readConcern: { level: 'snapshot' as const },
  writeConcern: { w: 'majority' as const },
  readPreference: 'primary' as const,
};

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isMongoError(error: unknown): error is InstanceType<typeof mongoose.mongo.MongoError> {
  return error instanceof mongoose.mongo.MongoError;
}

export function isTransient(error: unknown): boolean {
  return isMongoError(error) && error.hasErrorLabel('TransientTransactionError');
}

export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 11000;
}

/**
 * Maps a MongoDB or mongoose failure to a StoreError; undefined for anything else (the caller rethrows
 * it as it is). Messages name the fields or paths, never the values (they may be personal data).
 */
export function toStoreError(error: unknown, what: string): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (isDuplicateKey(error)) {
    const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
    const fields = pattern ? Object.keys(pattern).join(', ') : 'unique key';
    return new StoreError('STORE_CONFLICT', `${what}: duplicate ${fields}`, { cause: error });
  }
  if (error instanceof mongoose.Error.ValidationError) {
    return new StoreError(
      'STORE_CORRUPT',
      `${what}: refused a document that does not fit the schema (${Object.keys(error.errors).join(', ')})`,
      { cause: error },
    );
  }
  if (error instanceof mongoose.Error.CastError || error instanceof mongoose.Error.StrictModeError) {
    return new StoreError('STORE_CORRUPT', `${what}: refused a value the schema does not allow (${error.path})`, {
      cause: error,
    });
  }
  if (isMongoError(error)) {
    if (isTransient(error) || error.code === 112) {
      const name = (error as { codeName?: string }).codeName ?? error.name;
      return new StoreError('STORE_CONFLICT', `${what}: conflicting write (${name})`, { cause: error });
    }
    return new StoreError('STORE_UNAVAILABLE', `${what}: ${error.name}${error.code ? ` ${error.code}` : ''}`, {
      cause: error,
    });
  }
  if (error instanceof mongoose.Error) {
    return new StoreError('STORE_UNAVAILABLE', `${what}: ${error.name}: ${error.message}`, { cause: error });
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The operations, on one session (inside a transaction) or none (a direct call).

/** SQLite's LIMIT: a negative limit means none; so here does one too large for the server. */
export function limitOf(limit: number): number | undefined {
  if (limit < 0 || limit >= 2 ** 31 - 1) return undefined;
  return Math.floor(limit);
}

export const UNFINISHED: OutboxStatus[] = ['pending', 'sending'];

/** Atomically adds `by` to the named counter (creating it at `by`) and returns the new value. */
export async function bump(
  model: Model<CounterDoc>,
  name: string,
  by: number,
  session: ClientSession | undefined,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const doc = await model
        .findOneAndUpdate({ name }, { $inc: { value: by } }, { upsert: true, returnDocument: 'after', session })
        .lean<CounterDoc>();
      if (!doc) throw new StoreError('STORE_CORRUPT', `counter ${name} upsert returned no document`);
      return doc.value;
    } catch (error) {
      // Two first increments at once outside a transaction: one inserts, the other tries again.
      if (!session && isDuplicateKey(error) && attempt < 3) continue;
      throw error;
    }
  }
}

/** An upsert that tries again when a concurrent first insert of the same key wins (outside transactions). */
export async function upsert(session: ClientSession | undefined, write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      return;
    } catch (error) {
      if (!session && isDuplicateKey(error) && attempt < 3) continue;
      throw error;
    }
  }
}

/** What every aggregate's operations stand on: the models, and the session of a transaction (or none). */
export class MongoOps {
  constructor(
    protected readonly m: Models,
    protected readonly session: ClientSession | undefined,
  ) {}

  /** Options every operation takes. */
  protected get o(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }
}

/** Direct calls of these run in a transaction of their own: they write several documents. */
const DIRECT_IN_TRANSACTION: ReadonlySet<Method> = new Set<Method>(['enqueue']);

/** Runs the operations `opsFor` builds (on a session or none) as the async Store port. */
export class MongoTransactions {
  private closed = false;
  private readonly direct: StoreTx;
  private readonly guard = new TransactionGuard(this);

  constructor(
    private readonly connection: Connection,
    private readonly owned: boolean,
    private readonly opsFor: (session: ClientSession | undefined) => StoreTx,
  ) {
    this.direct = opsFor(undefined);
  }

  asStore(): Store {
    const direct = facade((method, args) => this.call(method, args));
    return Object.assign(direct, {
      transaction: <T>(fn: (tx: StoreTx) => Promise<T>) => this.transaction(fn),
      close: () => this.close(),
    });
  }

  private async call(method: Method, args: unknown[]): Promise<unknown> {
    this.guard.refuseReentry(method);
    this.assertOpen();
    if (DIRECT_IN_TRANSACTION.has(method)) return this.transaction((tx) => invoke<Promise<unknown>>(tx, method, args));
    try {
      return await invoke<Promise<unknown>>(this.direct, method, args);
    } catch (error) {
      throw toStoreError(error, method) ?? error;
    }
  }

  private async transaction<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
    this.guard.refuseReentry('transaction');
    this.assertOpen();
    try {
      return await this.connection.transaction(async (session) => {
        // One attempt: the driver calls this again after a transient conflict.
        let transient: unknown;
        const ops = this.opsFor(session);
        try {
          const result = await this.guard.run((scope) =>
            fn(
              facade(async (method, args) => {
                assertActive(scope, method);
                try {
                  return await invoke<Promise<unknown>>(ops, method, args);
                } catch (error) {
                  if (isTransient(error)) transient ??= error;
                  throw toStoreError(error, method) ?? error;
                }
              }),
            ),
          );
          // The server aborted this attempt even if fn carried on: let the driver run it again.
          if (transient !== undefined) throw transient;
          return result;
        } catch (error) {
          throw transient ?? error;
        }
      }, TRANSACTION_OPTIONS);
    } catch (error) {
      throw toStoreError(error, 'transaction') ?? error;
    }
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.guard.refuseReentry('close');
    this.closed = true;
    if (this.owned) await this.connection.destroy();
  }

  assertOpen(): void {
    if (this.closed) throw new StoreError('STORE_UNAVAILABLE', 'the store is closed');
  }
}
