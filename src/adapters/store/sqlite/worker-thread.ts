/**
 * The life of a worker thread with a connection of its own (the report reader, report-worker.ts, and the
 * WAL checkpointer, checkpoint.ts): started from evaluated CommonJS with better-sqlite3's path in
 * `workerData.driver`, so it runs the same from src/ under tsx, from the bundle in dist/ and under vitest;
 * asked to stop with the message 'stop' (the worker closes its connection and its port).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

export interface SqliteWorker {
  worker: Worker;
  /** Resolves when the thread has exited, however it ended. */
  exited: Promise<void>;
}

/** Starts `source` on a thread with `data` and the driver's path as its workerData. Throws when it cannot start. */
export function startSqliteWorker(source: string, data: Record<string, unknown>): SqliteWorker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(source, { eval: true, workerData: { ...data, driver } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { worker, exited };
}

/**
 * Asks the worker to stop and waits until it has exited (five seconds at most, then it is terminated).
 * Held meanwhile: an unreferenced worker would let the process end in the middle of closing.
 */
export async function stopSqliteWorker({ worker, exited }: SqliteWorker): Promise<void> {
  worker.ref();
  worker.postMessage('stop');
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
  await Promise.race([exited, timeout]);
  await worker.terminate();
}
