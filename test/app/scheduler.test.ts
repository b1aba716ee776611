import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCron, tickExpression } from '../../src/adapters/scheduler/cron.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { type JobHandler, Scheduler, type SchedulerOptions } from '../../src/app/scheduler.js';
import type { Job, NewJob, Store } from '../../src/core/ports.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';

const T0 = new Date('2026-11-28T02:00:00.000Z');
const LEASE = 60_000;
const SECRET = 'flat 3-2-501, phone 13812345678';

let store: Store;
let clock: FakeClock;
let logLines: Record<string, unknown>[];
let jobNumber = 0;

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  jobNumber += 1;
  return { id: `job-${jobNumber}`, type: 'test', dueAt: clock.now(), payload: { note: SECRET }, ...overrides };
}

async function schedule(overrides: Partial<NewJob> = {}): Promise<Job> {
  return store.scheduleJob(newJob(overrides), clock.now());
}

async function job(id: string): Promise<Job> {
  const found = await store.getJob(id);
  if (!found) throw new Error(`no job ${id}`);
  return found;
}

function scheduler(handlers: Record<string, JobHandler>, options: Partial<SchedulerOptions> = {}): Scheduler {
  const log = createLogger({
    level: 'debug',
    format: 'json',
    destination: { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return new Scheduler({ store, clock, log, workerId: 'worker-a', leaseMs: LEASE, handlers, ...options });
}

/** A promise with its resolve function outside, to hold a handler until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

beforeEach(async () => {
  store = await openSqliteStore({ path: ':memory:' });
  clock = new FakeClock(T0);
  logLines = [];
});

afterEach(async () => {
  await store.close();
});

describe('Scheduler', () => {
  it('runs a due job once and marks it done', async () => {
    const ran: Job[] = [];
    const s = scheduler({ test: async (j) => void ran.push(j) });
    const scheduled = await schedule();

    expect(await s.tick()).toBe(1);
    expect(ran.map((j) => j.id)).toEqual([scheduled.id]);
    expect(ran[0]?.payload).toEqual({ note: SECRET });
    expect(await job(scheduled.id)).toMatchObject({ status: 'done', attempts: 1 });
    expect((await job(scheduled.id)).leaseOwner).toBeUndefined();

    clock.advance(LEASE * 10);
    expect(await s.tick()).toBe(0);
    expect(ran).toHaveLength(1);
  });

  it('leaves a job that is not due yet until it is', async () => {
    const ran: string[] = [];
    const s = scheduler({ test: async (j) => void ran.push(j.id) });
    const later = await schedule({ dueAt: new Date(T0.getTime() + 60_000) });

    expect(await s.tick()).toBe(0);
    clock.advance(59_999);
    expect(await s.tick()).toBe(0);
    expect(await job(later.id)).toMatchObject({ status: 'pending', attempts: 0 });

    clock.advance(1);
    expect(await s.tick()).toBe(1);
    expect(ran).toEqual([later.id]);
  });

  it('runs due jobs one at a time in due order', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const s = scheduler({
      test: async (j) => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 2));
        order.push(j.id);
        running -= 1;
      },
    });
    const c = await schedule({ dueAt: new Date(T0.getTime() - 1_000) });
    const a = await schedule({ dueAt: new Date(T0.getTime() - 3_000) });
    const b = await schedule({ dueAt: new Date(T0.getTime() - 2_000) });

    expect(await s.tick()).toBe(3);
    expect(order).toEqual([a.id, b.id, c.id]);
    expect(most).toBe(1);
  });

  it('drains every due job in one tick, `batch` per claim', async () => {
    const claims: number[] = [];
    const claimJobs = store.claimJobs.bind(store);
    store.claimJobs = async (...args) => {
      const got = await claimJobs(...args);
      claims.push(got.length);
      return got;
    };
    const s = scheduler({ test: async () => {} }, { batch: 2 });
    for (let i = 0; i < 5; i++) await schedule();
    await schedule({ dueAt: new Date(T0.getTime() + 60_000) }); // not due yet: left for later
    expect(await s.tick()).toBe(5);
    expect(claims).toEqual([2, 2, 1]);
    expect(await s.tick()).toBe(0);
  });

  it('ends a tick at a job due again at once, instead of running it over and over', async () => {
    let runs = 0;
    const s = scheduler(
      {
        test: async () => {
          runs += 1;
          throw new Error('still broken');
        },
      },
      { batch: 1, baseBackoffMs: 0 },
    );
    await schedule();
    expect(await s.tick()).toBe(1);
    expect(runs).toBe(1);
    expect(await s.tick()).toBe(1);
    expect(runs).toBe(2);
  });

  it('commits the handler’s writes together with completing the job', async () => {
    const s = scheduler({
      test: async (j, tx) => {
        await tx.setSetting(`ran:${j.id}`, 'yes');
        await tx.nextSequence('runs');
      },
    });
    const scheduled = await schedule();
    await s.tick();
    expect(await store.getSetting(`ran:${scheduled.id}`)).toBe('yes');
    expect(await store.nextSequence('runs')).toBe(2);
  });

  it('rolls the handler’s writes back when it throws', async () => {
    const s = scheduler({
      test: async (j, tx) => {
        await tx.setSetting(`ran:${j.id}`, 'yes');
        await tx.scheduleJob(newJob({ id: `follow-up-of-${j.id}` }), clock.now());
        throw new Error('the printer is on fire');
      },
    });
    const scheduled = await schedule();
    expect(await s.tick()).toBe(1);

    expect(await store.getSetting(`ran:${scheduled.id}`)).toBeUndefined();
    expect(await store.getJob(`follow-up-of-${scheduled.id}`)).toBeUndefined();
    expect(await job(scheduled.id)).toMatchObject({ status: 'pending', lastError: 'the printer is on fire' });
  });

  it('retries a failing job with exponential backoff, then marks it failed with its error', async () => {
    let calls = 0;
    const s = scheduler(
      {
        test: async () => {
          calls += 1;
          throw new Error(`still broken (${calls})`);
        },
      },
      { maxAttempts: 4, baseBackoffMs: 30_000 },
    );
    const scheduled = await schedule();

    expect(await s.tick()).toBe(1);
    const expectedWaits = [30_000, 60_000, 120_000];
    for (const [i, wait] of expectedWaits.entries()) {
      const pending = await job(scheduled.id);
      expect(pending).toMatchObject({ status: 'pending', attempts: i + 1, lastError: `still broken (${i + 1})` });
      expect(pending.dueAt).toEqual(new Date(clock.now().getTime() + wait));

      clock.advance(wait - 1);
      expect(await s.tick()).toBe(0);
      clock.advance(1);
      expect(await s.tick()).toBe(1);
    }

    expect(calls).toBe(4);
    expect(await job(scheduled.id)).toMatchObject({ status: 'failed', attempts: 4, lastError: 'still broken (4)' });
    clock.advance(24 * 3_600_000);
    expect(await s.tick()).toBe(0);
    expect(calls).toBe(4);

    const errors = logLines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(4);
    for (const line of errors) expect(line).toMatchObject({ job: scheduled.id, type: 'test' });
    expect(errors.at(-1)?.msg).toBe('job failed for good');
    expect(JSON.stringify(errors)).toContain('still broken (4)');
    expect(JSON.stringify(logLines)).not.toContain(SECRET);
  });

  it('caps the backoff at one hour', async () => {
    const s = scheduler(
      {
        test: async () => {
          throw new Error('down');
        },
      },
      { maxAttempts: 10, baseBackoffMs: 25 * 60_000 },
    );
    const scheduled = await schedule();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      await s.tick();
      const pending = await job(scheduled.id);
      waits.push(pending.dueAt.getTime() - clock.now().getTime());
      clock.set(pending.dueAt);
    }
    expect(waits).toEqual([25 * 60_000, 50 * 60_000, 60 * 60_000, 60 * 60_000]);
  });

  it('fails a job of an unknown type at once, naming the type', async () => {
    const ran: string[] = [];
    const s = scheduler({ test: async (j) => void ran.push(j.id) });
    const stray = await schedule({ type: 'revisit.sned' });
    const fine = await schedule();

    expect(await s.tick()).toBe(2);
    expect(ran).toEqual([fine.id]);
    const failed = await job(stray.id);
    expect(failed.status).toBe('failed');
    expect(failed.lastError).toContain('unknown job type "revisit.sned"');
    expect(logLines.some((line) => line.level === 50 && line.job === stray.id && line.type === 'revisit.sned')).toBe(
      true,
    );
  });

  it('does not treat inherited object properties as handlers', async () => {
    const s = scheduler({ test: async () => {} });
    const stray = await schedule({ type: 'constructor' });
    await s.tick();
    expect(await job(stray.id)).toMatchObject({ status: 'failed' });
  });

  it('takes over a job from a dead worker exactly once, after its lease expires', async () => {
    const ran: string[] = [];
    const handlers = { test: async (j: Job) => void ran.push(j.id) };
    const a = scheduler(handlers);
    const b = scheduler(handlers, { workerId: 'worker-b' });
    const orphan = await schedule();
    const [claimed] = await store.claimJobs(clock.now(), 'dead-worker', LEASE, 10);
    expect(claimed?.id).toBe(orphan.id);

    expect(await a.tick()).toBe(0);
    clock.advance(LEASE);
    expect(await Promise.all([a.tick(), b.tick()])).toEqual([0, 0]);

    clock.advance(1);
    const counts = await Promise.all([a.tick(), b.tick()]);
    expect(counts.sort()).toEqual([0, 1]);
    expect(ran).toEqual([orphan.id]);
    expect(await job(orphan.id)).toMatchObject({ status: 'done', attempts: 2 });

    expect(await store.completeJob(orphan.id, 'dead-worker', clock.now())).toBe(false);
    clock.advance(LEASE * 2);
    expect(await Promise.all([a.tick(), b.tick()])).toEqual([0, 0]);
    expect(ran).toEqual([orphan.id]);
  });

  it('gives back a claimed job whose lease ran out while earlier jobs of the batch ran', async () => {
    const ran: string[] = [];
    const s = scheduler({
      test: async (j) => {
        ran.push(j.id);
        clock.advance(LEASE);
      },
    });
    const first = await schedule();
    const second = await schedule();

    expect(await s.tick()).toBe(1);
    expect(ran).toEqual([first.id]);
    expect(await job(second.id)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await s.tick()).toBe(1);
    expect(ran).toEqual([first.id, second.id]);
  });

  it('does nothing when ticked while a tick is running', async () => {
    const held = gate();
    const s = scheduler({ test: () => held.promise });
    await schedule();
    const first = s.tick();
    expect(await s.tick()).toBe(0);
    held.open();
    expect(await first).toBe(1);
  });

  it('stop() waits for the running job and releases the claimed jobs it did not start', async () => {
    const held = gate();
    const started: string[] = [];
    const s = scheduler({
      test: async (j, tx) => {
        started.push(j.id);
        await held.promise;
        await tx.setSetting(`ran:${j.id}`, 'yes');
      },
    });
    const [one, two, three] = [await schedule(), await schedule(), await schedule()];
    const ticking = s.tick();
    await expect.poll(() => started.length).toBe(1);

    let stopped = false;
    const stopping = s.stop().then(() => {
      stopped = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(stopped).toBe(false);

    held.open();
    await stopping;
    expect(await ticking).toBe(1);
    expect(started).toEqual([one.id]);
    expect(await job(one.id)).toMatchObject({ status: 'done' });
    expect(await store.getSetting(`ran:${one.id}`)).toBe('yes');
    for (const rest of [two, three]) {
      const released = await job(rest.id);
      expect(released).toMatchObject({ status: 'pending', attempts: 0 });
      expect(released.leaseOwner).toBeUndefined();
    }

    expect(await s.tick()).toBe(0);
    const other = scheduler({ test: async () => {} }, { workerId: 'worker-b' });
    expect(await other.tick()).toBe(2);
  });
});

describe('tickExpression', () => {
  it('writes intervals that divide a minute, an hour or a day as cron expressions with seconds', () => {
    expect(tickExpression(1_000)).toBe('* * * * * *');
    expect(tickExpression(15_000)).toBe('*/15 * * * * *');
    expect(tickExpression(30_000)).toBe('*/30 * * * * *');
    expect(tickExpression(60_000)).toBe('0 * * * * *');
    expect(tickExpression(5 * 60_000)).toBe('0 */5 * * * *');
    expect(tickExpression(3_600_000)).toBe('0 0 * * * *');
    expect(tickExpression(6 * 3_600_000)).toBe('0 0 */6 * * *');
  });

  it('has no expression for intervals cron cannot keep evenly', () => {
    for (const ms of [500, 1_500, 7_000, 45_000, 90_000, 7 * 60_000, 5 * 3_600_000, 24 * 3_600_000]) {
      expect(tickExpression(ms)).toBeUndefined();
    }
  });
});

describe('startCron', () => {
  // Fake timers (and a fake Date, which node-cron reads): the ticks below run in no real time.
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-12-01T00:00:00.500Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A scheduler stand-in whose ticks take `tickMs`, recording how many ever ran at once. */
  function slowScheduler(tickMs: number, failFirst = false) {
    const state = { ticks: 0, running: 0, most: 0, stopped: false };
    const fake = {
      async tick() {
        state.ticks += 1;
        state.running += 1;
        state.most = Math.max(state.most, state.running);
        await new Promise((resolve) => setTimeout(resolve, tickMs));
        state.running -= 1;
        if (failFirst && state.ticks === 1) throw new Error('store unavailable');
        return 0;
      },
      async stop() {
        state.stopped = true;
      },
    };
    return { fake, state };
  }

  it('ticks at once and then on the cron schedule, never two ticks at a time', async () => {
    const { fake, state } = slowScheduler(1_200, true);
    const errors: string[] = [];
    const log = silentLogger();
    log.error = ((obj: unknown, msg?: string) => void errors.push(msg ?? String(obj))) as typeof log.error;

    const handle = startCron(fake, 1_000, log);
    expect(state.ticks).toBe(1);
    await vi.advanceTimersByTimeAsync(2_500);
    const stopping = handle.stop();
    await vi.runOnlyPendingTimersAsync();
    await stopping;

    expect(state.ticks).toBeGreaterThanOrEqual(2);
    expect(state.most).toBe(1);
    expect(state.running).toBe(0);
    expect(state.stopped).toBe(true);
    expect(errors).toEqual(['scheduler tick failed; trying again at the next one']);

    const after = state.ticks;
    await vi.advanceTimersByTimeAsync(1_100);
    expect(state.ticks).toBe(after);
  });

  it('falls back to a timer for intervals cron cannot express, still without overlap', async () => {
    const { fake, state } = slowScheduler(250);
    const handle = startCron(fake, 100, silentLogger());
    await vi.advanceTimersByTimeAsync(600);
    const stopping = handle.stop();
    await vi.runOnlyPendingTimersAsync();
    await stopping;
    expect(state.ticks).toBeGreaterThanOrEqual(2);
    expect(state.most).toBe(1);
    expect(state.running).toBe(0);
    const after = state.ticks;
    await vi.advanceTimersByTimeAsync(300);
    expect(state.ticks).toBe(after);
  });
});
