/**
 * The scheduler as a timer adapter sees it: something to tick and, at shutdown, to stop. The use case
 * (app/scheduler.ts) implements it; the timer (adapters/scheduler/cron.ts) drives it without importing it.
 */
export interface JobRunner {
  /** Runs the jobs due now; resolves to how many it ran. */
  tick(): Promise<number>;
  /** Stops taking jobs and waits for the one in hand. */
  stop(): Promise<void>;
}
