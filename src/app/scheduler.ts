/**
 * The scheduler runs durable jobs from the store: it leases due jobs, runs each one's handler in one
 * store transaction together with marking the job done, and retries failures with exponential backoff.
 *
 * Exactly once: a job's effects and its completion commit in the same transaction, and completion
 * succeeds only while this worker still holds the job's lease. A process that dies mid-job leaves the
 * job leased and its effects uncommitted; once the lease expires any worker takes the job over. A worker
 * whose lease was taken over meanwhile finds out at completion and rolls its own run back.
 */
import type { JobRunner } from '../core/ports/scheduler.js';
import type { Clock, Job, Store, StoreTx } from '../core/ports.js';
import type { Logger } from '../logger.js';

/**
 * Carries out one job. It must do all its work through `tx` (the job is marked done in the same
 * transaction) and throw to fail: the transaction is rolled back and the job retried later.
 */
export type JobHandler = ((job: Job, tx: StoreTx, prepared?: unknown) => Promise<void>) & {
  /**
   * Slow work outside the store (a model call) done before the job's transaction, so it never holds the
   * store's write lock; its result is handed to the handler. A failure counts as the job failing.
   */
  prepare?: (job: Job) => Promise<unknown>;
};

export interface SchedulerOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Unique per process: the lease owner. */
  workerId: string;
  /** How long a claimed job is ours before another worker may take it over; default 5 minutes. */
  leaseMs?: number;
  /** How many due jobs one claim takes; a tick claims again while claims come back full. Default 20. */
  batch?: number;
  /** Whether a tick drains everything due (default) or takes one batch (tests that interleave processes). */
  drain?: boolean;
  /** Runs (attempts) after which a failing job is marked failed for good; default 5. */
  maxAttempts?: number;
  /** Wait before the first retry; doubles with each attempt up to `maxBackoffMs`. Default 30 s. */
  baseBackoffMs?: number;
  /** Longest wait between retries; default 1 hour. */
  maxBackoffMs?: number;
  /** Handlers by job type. A job of any other type fails at once. */
  handlers: Readonly<Record<string, JobHandler>>;
}

/** Thrown inside a job's transaction when another worker took the job over: rolls this run back. */
class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`lost the lease on job ${jobId} to another worker`);
    this.name = 'LeaseLostError';
  }
}

/** How a run ended, for the tick's count. */
type Outcome = 'done' | 'retry' | 'failed' | 'lost' | 'skipped';

const MAX_ERROR_LENGTH = 2000;

/** Runs due jobs one at a time, in due order; see the module comment for what it promises. */
export class Scheduler implements JobRunner {
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private stopping = false;
  private current?: Promise<number>;

  constructor(private readonly o: SchedulerOptions) {
    this.leaseMs = o.leaseMs ?? 5 * 60_000;
    this.batch = o.batch ?? 20;
    this.maxAttempts = o.maxAttempts ?? 5;
    this.baseBackoffMs = o.baseBackoffMs ?? 30_000;
    this.maxBackoffMs = o.maxBackoffMs ?? 60 * 60_000;
    if (!(this.leaseMs > 0) || !(this.batch >= 1) || !(this.maxAttempts >= 1) || !(this.baseBackoffMs >= 0)) {
      throw new RangeError('Scheduler: leaseMs, batch and maxAttempts must be positive, baseBackoffMs not negative');
    }
  }

  /**
   * Claims the jobs due now, batch after batch until none is due, and runs them one after another, in
   * due order. Returns how many it ran to an outcome (done, rescheduled or failed). Does nothing and returns 0 once `stop` was called, or while
   * another tick is still running.
   */
  tick(): Promise<number> {
    if (this.stopping || this.current) return Promise.resolve(0);
    const run = this.runTick().finally(() => {
      this.current = undefined;
    });
    this.current = run;
    return run;
  }

  /**
   * Stops taking jobs: waits for the job that is running, then hands the jobs this tick claimed but did
   * not start back to the store (without counting an attempt), so any worker can run them at once.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.current?.catch(() => undefined);
  }

  /**
   * Drains what is due: claims a batch, runs it, and claims again while batches come back full, so a
   * backlog (a thousand reminders due at 09:00) goes out in one tick rather than `batch` per tick. A job
   * met twice in one tick (a retry due at once) ends the tick, so a failing job cannot keep it spinning.
   */
  private async runTick(): Promise<number> {
    const seen = new Set<string>();
    let ran = 0;
    while (!this.stopping) {
      const { ran: n, full, fresh } = await this.runBatch(seen);
      ran += n;
      if (!full || !fresh || this.o.drain === false) break;
    }
    return ran;
  }

  /** One claimed batch, run in due order; whether it came back full and held a job not met this tick. */
  private async runBatch(seen: Set<string>): Promise<{ ran: number; full: boolean; fresh: boolean }> {
    const { store, clock, workerId } = this.o;
    const claimed = await store.claimJobs(clock.now(), workerId, this.leaseMs, this.batch);
    const jobs = [...claimed].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    const fresh = jobs.filter((j) => !seen.has(j.id));
    let ran = 0;
    let next = 0;
    try {
      // Met already in this tick (due again at once): handed back for the next tick.
      for (const job of jobs) if (seen.has(job.id)) await this.release(job);
      for (; next < fresh.length && !this.stopping; next++) {
        const job = fresh[next]!;
        seen.add(job.id);
        const outcome = await this.runJob(job);
        if (outcome === 'done' || outcome === 'retry' || outcome === 'failed') ran += 1;
      }
    } finally {
      for (const job of fresh.slice(next)) await this.release(job);
    }
    return { ran, full: jobs.length >= this.batch, fresh: fresh.length > 0 };
  }

  private async runJob(job: Job): Promise<Outcome> {
    const { store, clock, log, workerId } = this.o;
    if (job.leaseUntil !== undefined && clock.now().getTime() >= job.leaseUntil.getTime()) {
      // Waited behind slower jobs of this batch until the lease ran out: another worker may hold it now.
      await this.release(job);
      return 'skipped';
    }
    const handler = Object.hasOwn(this.o.handlers, job.type) ? this.o.handlers[job.type] : undefined;
    if (!handler) {
      const error = `unknown job type "${job.type}": no handler is registered for it`;
      log.error({ job: job.id, type: job.type, error }, 'job failed: unknown type');
      await this.settle(job, () => store.failJob(job.id, workerId, error, clock.now()));
      return 'failed';
    }
    try {
      const prepared = handler.prepare ? await handler.prepare(job) : undefined;
      await store.transaction(async (tx) => {
        await handler(job, tx, prepared);
        if (!(await tx.completeJob(job.id, workerId, clock.now()))) throw new LeaseLostError(job.id);
      });
      log.debug({ job: job.id, type: job.type, attempt: job.attempts }, 'job done');
      return 'done';
    } catch (err) {
      if (err instanceof LeaseLostError) {
        log.warn(
          { job: job.id, type: job.type },
          'job taken over by another worker after its lease ran out; run rolled back',
        );
        return 'lost';
      }
      return this.failed(job, err);
    }
  }

  /** After a failed run (already rolled back): try again later, or give up after `maxAttempts`. */
  private async failed(job: Job, err: unknown): Promise<Outcome> {
    const { store, clock, log, workerId } = this.o;
    const error = describe(err);
    const now = clock.now();
    if (job.attempts >= this.maxAttempts) {
      log.error({ job: job.id, type: job.type, attempt: job.attempts, err }, 'job failed for good');
      await this.settle(job, () => store.failJob(job.id, workerId, error, now));
      return 'failed';
    }
    const wait = Math.min(this.baseBackoffMs * 2 ** Math.max(0, job.attempts - 1), this.maxBackoffMs);
    const dueAt = new Date(now.getTime() + wait);
    log.error(
      { job: job.id, type: job.type, attempt: job.attempts, retryAt: dueAt.toISOString(), err },
      'job failed; will retry',
    );
    await this.settle(job, () => store.retryJob(job.id, workerId, dueAt, error, now));
    return 'retry';
  }

  /** Records a job's outcome; if the store refuses, the lease runs out and the job is run again. */
  private async settle(job: Job, write: () => Promise<boolean>): Promise<void> {
    try {
      if (!(await write())) {
        this.o.log.warn({ job: job.id, type: job.type }, 'job outcome not recorded: another worker holds its lease');
      }
    } catch (err) {
      this.o.log.error(
        { job: job.id, type: job.type, err },
        'job outcome not recorded; it will run again after its lease',
      );
    }
  }

  private async release(job: Job): Promise<void> {
    try {
      await this.o.store.releaseJob(job.id, this.o.workerId, this.o.clock.now());
    } catch (err) {
      this.o.log.warn(
        { job: job.id, type: job.type, err },
        'could not release a claimed job; it waits for its lease to run out',
      );
    }
  }
}

function describe(err: unknown): string {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 3)}...` : text;
}
