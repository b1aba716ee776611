/**
 * One scheduler process for the multi-process test. Opens the shared SQLite file, waits until every
 * worker named in WORKERS has opened it too, then ticks its own Scheduler as fast as it can until no
 * job is pending or running, and prints `{"worker","ran"}` as one JSON line.
 *
 * Each `e2e.append` job records `ran:<job id> = <worker>` and increments the `runs` counter in its
 * transaction. With CRASH_AFTER=n the process kills itself (SIGKILL) inside its n-th handler, after
 * those writes and before they commit, and says which job on stderr first.
 *
 * Between ticks it pauses PAUSE_MS (default 2 ms). SQLite's busy handler retries a held write lock on a
 * backoff (1, 2, 5, 10 … ms), so a process that commits in a tight loop can keep the other one out for
 * the whole run; a real tick interval leaves far more room than this.
 *
 * Environment: DB, WORKER, WORKERS (comma-separated), LEASE_MS, BATCH, CRASH_AFTER and PAUSE_MS (optional).
 */
import { writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSqliteStore } from '../../../src/adapters/store/sqlite/store.js';
import { Scheduler } from '../../../src/app/scheduler.js';
import { systemClock } from '../../../src/core/ports.js';
import { createLogger } from '../../../src/logger.js';

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const worker = env('WORKER');
const crashAfter = Number(process.env.CRASH_AFTER ?? 0);
const pauseMs = Number(process.env.PAUSE_MS ?? 2);
const store = await openSqliteStore({ path: env('DB') });
const log = createLogger({ level: 'warn', format: 'json', destination: process.stderr });

await store.setSetting(`ready:${worker}`, 'yes');
const everyone = env('WORKERS').split(',');
while ((await Promise.all(everyone.map((w) => store.getSetting(`ready:${w}`)))).includes(undefined)) await sleep(5);

let handlerRuns = 0;
const scheduler = new Scheduler({
  store,
  clock: systemClock,
  log,
  workerId: worker,
  leaseMs: Number(env('LEASE_MS')),
  batch: Number(env('BATCH')),
  // One batch a tick, so the two processes interleave claim by claim (a draining tick could run every job
  // before the other process has started): what is tested is that they never run a job twice between them.
  drain: false,
  handlers: {
    'e2e.append': async (job, tx) => {
      await tx.setSetting(`ran:${job.id}`, worker);
      await tx.nextSequence('runs');
      handlerRuns += 1;
      if (handlerRuns === crashAfter) {
        writeSync(2, `${JSON.stringify({ crashing: job.id })}\n`);
        process.kill(process.pid, 'SIGKILL');
        await sleep(60_000);
      }
    },
  },
});

let ran = 0;
for (;;) {
  const handled = await scheduler.tick();
  ran += handled;
  await sleep(pauseMs);
  if (handled > 0) continue;
  const [pending, running] = await Promise.all([
    store.listJobs({ status: 'pending' }),
    store.listJobs({ status: 'running' }),
  ]);
  if (pending.length + running.length === 0) break;
  await sleep(10);
}
await scheduler.stop();
await store.close();
process.stdout.write(`${JSON.stringify({ worker, ran })}\n`);
