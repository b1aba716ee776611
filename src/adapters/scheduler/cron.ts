/**
 * Drives the scheduler (a {@link JobRunner}) with node-cron: one tick every `tickMs`, never two at once.
 */
import cron, { type Logger as CronLogger } from 'node-cron';
import type { JobRunner } from '../../core/ports/scheduler.js';
import type { Logger } from '../../logger.js';

/** A running timer; `stop` ends it and waits for the scheduler to finish the job in hand. */
export interface CronHandle {
  stop(): Promise<void>;
}

/**
 * The cron expression (with seconds) that fires every `tickMs`, or undefined when no cron expression
 * can. Cron steps restart at each minute (hour, day): a 7-second step fires at :56 and again at :00, so
 * only whole seconds that divide a minute, whole minutes that divide an hour and whole hours that divide
 * a day keep an even pace.
 */
export function tickExpression(tickMs: number): string | undefined {
  if (!Number.isInteger(tickMs) || tickMs < 1000 || tickMs % 1000 !== 0) return undefined;
  const seconds = tickMs / 1000;
  if (seconds === 1) return '* * * * * *';
  if (seconds < 60) return 60 % seconds === 0 ? `*/${seconds} * * * * *` : undefined;
  if (seconds % 60 !== 0) return undefined;
  const minutes = seconds / 60;
  if (minutes === 1) return '0 * * * * *';
  if (minutes < 60) return 60 % minutes === 0 ? `0 */${minutes} * * * *` : undefined;
  if (minutes % 60 !== 0) return undefined;
  const hours = minutes / 60;
  if (hours === 1) return '0 0 * * * *';
  if (hours < 24) return 24 % hours === 0 ? `0 0 */${hours} * * *` : undefined;
  return undefined;
}

/**
 * Ticks `scheduler` every `tickMs` until `stop`. A tick still running when the next one is due makes
 * that one be skipped, not queued. A tick that throws (the store unreachable) is logged and the next
 * one tries again. The first tick runs at once, so jobs that fell due while the process was down do
 * not wait for the first interval.
 */
export function startCron(scheduler: JobRunner, tickMs: number, log: Logger): CronHandle {
  if (!Number.isFinite(tickMs) || tickMs <= 0) throw new RangeError(`Not a tick interval: ${tickMs}`);
  let current: Promise<void> | undefined;
  let stopped = false;

  const tick = (): Promise<void> => {
    if (stopped) return Promise.resolve();
    if (current) {
      log.debug('scheduler tick skipped: the previous one is still running');
      return current;
    }
    current = scheduler
      .tick()
      .then(
        (ran) => {
          if (ran > 0) log.debug({ ran }, 'scheduler tick');
        },
        (err: unknown) => {
          log.error({ err }, 'scheduler tick failed; trying again at the next one');
        },
      )
      .finally(() => {
        current = undefined;
      });
    return current;
  };

  let stopTimer: () => void;
  const expression = tickExpression(tickMs);
  if (expression !== undefined) {
    // UTC: in a zone with daylight saving, node-cron skips sub-hourly slots during the repeated hour.
    const task = cron.schedule(expression, tick, {
      name: 'residesk-scheduler',
      noOverlap: true,
      timezone: 'UTC',
      logger: cronLogger(log),
    });
    stopTimer = () => void task.destroy();
  } else {
    // A cron expression cannot keep an even pace for this interval (under a second, not whole seconds,
    // or not dividing the minute, hour or day), so a plain timer does; `tick` itself skips overlaps.
    const timer = setInterval(() => void tick(), tickMs);
    stopTimer = () => clearInterval(timer);
  }
  void tick();

  return {
    async stop() {
      if (!stopped) {
        stopped = true;
        stopTimer();
      }
      await scheduler.stop();
      await current;
    },
  };
}

/** node-cron's own messages (skipped or missed slots after a slow tick) are routine here: debug level. */
function cronLogger(log: Logger): CronLogger {
  const text = (message: string | Error) => (message instanceof Error ? message.message : message);
  return {
    info: (message) => log.debug({ source: 'node-cron' }, message),
    warn: (message) => log.debug({ source: 'node-cron' }, message),
    debug: (message) => log.debug({ source: 'node-cron' }, text(message)),
    error: (message, err) => log.error({ source: 'node-cron', err: err ?? message }, text(message)),
  };
}
