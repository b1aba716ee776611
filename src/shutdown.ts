/**
 * Stopping the process: the steps main.ts runs on SIGINT, SIGTERM or the end of console input.
 *
 * Every step runs, whatever happened to the ones before it: a channel whose stop throws or never
 * finishes must not keep the store from being closed, nor the process from exiting.
 */
import type { Logger } from './logger.js';

/** One thing to stop (a channel, the cron tick, the dispatcher, the store), named for the log. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown> | unknown;
}

/** How long one step may take before shutdown moves on without it. */
export const SHUTDOWN_STEP_TIMEOUT_MS = 10_000;

class StepTimedOut extends Error {
  constructor(ms: number) {
    super(`did not finish within ${ms} ms`);
    this.name = 'StepTimedOut';
  }
}

/**
 * Runs the steps in order, each for at most `timeoutMs`. A step that throws or takes too long is logged
 * (as an error naming the step) and the next one runs. Resolves, never rejects, to the names of the
 * steps that failed.
 */
export async function runShutdown(
  steps: readonly ShutdownStep[],
  log: Logger,
  timeoutMs = SHUTDOWN_STEP_TIMEOUT_MS,
): Promise<string[]> {
  const failed: string[] = [];
  for (const step of steps) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        (async () => step.run())(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new StepTimedOut(timeoutMs)), timeoutMs);
          timer.unref();
        }),
      ]);
    } catch (error) {
      failed.push(step.name);
      log.error({ err: error, step: step.name }, `shutdown: stopping ${step.name} failed; carrying on`);
    } finally {
      clearTimeout(timer);
    }
  }
  return failed;
}
