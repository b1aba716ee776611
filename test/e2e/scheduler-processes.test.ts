/**
 * Two scheduler processes on one SQLite file: every job runs exactly once, even when a process dies in
 * the middle of a job.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import type { Job } from '../../src/core/ports.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const WORKER_SCRIPT = join(ROOT, 'test', 'e2e', 'support', 'scheduler-worker.ts');
const JOBS = 300;
/** The dying worker kills itself in its CRASH_AFTER-th job, early, so it always gets that far. */
const CRASH_AFTER = 5;

interface Finished {
  worker: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let db: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'residesk-scheduler-'));
  db = join(dir, 'residesk.db');
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await rm(dir, { recursive: true, force: true });
});

/** Schedules JOBS due jobs, each due a millisecond after the one before, all in the past. */
async function scheduleJobs(): Promise<string[]> {
  const store = await openSqliteStore({ path: db });
  const now = new Date();
  const ids: string[] = [];
  try {
    await store.transaction(async (tx) => {
      for (let i = 0; i < JOBS; i++) {
        const id = `job-${String(i).padStart(3, '0')}`;
        ids.push(id);
        await tx.scheduleJob(
          { id, type: 'e2e.append', dueAt: new Date(now.getTime() - 60_000 + i), payload: { i } },
          now,
        );
      }
    });
  } finally {
    await store.close();
  }
  return ids;
}

function startWorker(worker: string, workers: string[], extra: Record<string, string> = {}): Promise<Finished> {
  const child = spawn(TSX, [WORKER_SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, DB: db, WORKER: worker, WORKERS: workers.join(','), LEASE_MS: '1500', BATCH: '5', ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ worker, code, signal, stdout, stderr }));
  });
}

function report(finished: Finished): { worker: string; ran: number } {
  const line = finished.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as { worker: string; ran: number };
}

/** What the database holds after the workers are gone. */
async function outcome(ids: string[]) {
  const store = await openSqliteStore({ path: db });
  try {
    const jobs = new Map<string, Job>();
    for (const job of await store.listJobs({ type: 'e2e.append' })) jobs.set(job.id, job);
    const ranBy = new Map<string, string | undefined>();
    for (const id of ids) ranBy.set(id, await store.getSetting(`ran:${id}`));
    const raw = new Database(db, { readonly: true });
    try {
      const runs = raw.prepare("SELECT value FROM counters WHERE name = 'runs'").pluck().get() as number | undefined;
      return { jobs, ranBy, runs };
    } finally {
      raw.close();
    }
  } finally {
    await store.close();
  }
}

function countBy(values: Iterable<string | undefined>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

describe('scheduler processes sharing one SQLite file', () => {
  it('run every job exactly once between them', { timeout: 20_000 }, async () => {
    const ids = await scheduleJobs();
    const finished = await Promise.all([startWorker('A', ['A', 'B']), startWorker('B', ['A', 'B'])]);

    for (const f of finished)
      expect({ worker: f.worker, code: f.code, stderr: f.stderr }).toEqual({ worker: f.worker, code: 0, stderr: '' });
    const reports = finished.map(report);
    const { jobs, ranBy, runs } = await outcome(ids);

    expect(runs).toBe(JOBS);
    expect(jobs.size).toBe(JOBS);
    expect(countBy([...jobs.values()].map((job) => job.status))).toEqual({ done: JOBS });
    expect([...jobs.values()].every((job) => job.attempts === 1)).toBe(true);

    const byWorker = countBy(ranBy.values());
    expect(Object.keys(byWorker).sort()).toEqual(['A', 'B']);
    expect((byWorker.A ?? 0) + (byWorker.B ?? 0)).toBe(JOBS);
    expect(byWorker.A).toBeGreaterThan(0);
    expect(byWorker.B).toBeGreaterThan(0);
    expect(Object.fromEntries(reports.map((r) => [r.worker, r.ran]))).toEqual(byWorker);
  });

  it('lose nothing and repeat nothing when one dies in the middle of a job', { timeout: 20_000 }, async () => {
    const ids = await scheduleJobs();
    const [dead, survivor] = await Promise.all([
      startWorker('A', ['A', 'B'], { CRASH_AFTER: String(CRASH_AFTER) }),
      startWorker('B', ['A', 'B']),
    ]);

    expect(dead.code === 137 || dead.signal === 'SIGKILL').toBe(true);
    const crashed = (JSON.parse(dead.stderr.trim().split('\n').at(-1) ?? '{}') as { crashing?: string }).crashing;
    expect(crashed).toMatch(/^job-\d{3}$/);
    expect({ code: survivor.code, stderr: survivor.stderr }).toEqual({ code: 0, stderr: '' });

    const { jobs, ranBy, runs } = await outcome(ids);
    // The counter proves the dead process's last, uncommitted run left nothing behind.
    expect(runs).toBe(JOBS);
    expect(countBy([...jobs.values()].map((job) => job.status))).toEqual({ done: JOBS });
    const byWorker = countBy(ranBy.values());
    expect(byWorker.A).toBe(CRASH_AFTER - 1);
    expect(byWorker.B).toBe(JOBS - (CRASH_AFTER - 1));
    expect(report(survivor).ran).toBe(JOBS - (CRASH_AFTER - 1));
    // The job it died in was taken over once its lease ran out.
    expect(ranBy.get(crashed!)).toBe('B');
    expect(jobs.get(crashed!)?.attempts).toBe(2);
  });
});
