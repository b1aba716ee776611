/**
 * Why an entry point cannot start: a title and one line per problem (each naming the variable or the
 * file and what is wrong), for the entry point to print and exit on. Never holds a secret.
 */
export class StartupError extends Error {
  readonly code = 'STARTUP_FAILED';

  constructor(
    /** What cannot be used, e.g. "the configuration is not valid" or "MongoDB cannot be used". */
    readonly title: string,
    readonly problems: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`${title}: ${problems.join('; ')}`, options);
    this.name = 'StartupError';
  }
}

/**
 * The bot's exit statuses, for whoever restarts it: 1 it stopped on an unexpected failure; 2 the
 * configuration or the content cannot be used, or an optional package it needs is not installed (fix it,
 * restarting will not help); 3 a messaging platform did not answer for STARTUP_RETRY (the network or the
 * platform; starting again later may work).
 */
export const EXIT_STATUS = { failed: 1, notValid: 2, unreachable: 3 } as const;

/** A messaging platform that did not answer at start-up however long we tried (exit status 3). */
export class PlatformUnreachable extends Error {
  readonly code = 'PLATFORM_UNREACHABLE';

  constructor(
    /** What could not be reached, e.g. "the Telegram Bot API". */
    readonly what: string,
    readonly attempts: number,
    options: { cause: Error },
  ) {
    super(`${what} did not answer after ${attempts} attempt(s): ${options.cause.message}`, options);
    this.name = 'PlatformUnreachable';
  }
}

/** How {@link retryWhileUnreachable} waits and logs. */
export interface RetryOptions {
  /** Whether a failure means "did not answer" (worth another try); anything else is thrown at once. */
  isUnreachable: (error: unknown) => boolean;
  /** How long to keep trying, from the first attempt; 0 tries once. */
  forMs: number;
  log: { warn: (fields: object, message: string) => void };
  /** Between attempts: 1 s, doubling, at most `maxDelayMs` (default 30 s). */
  firstDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * Runs `attempt` until it succeeds, fails for another reason, or `forMs` has passed, waiting longer each
 * time and saying so in the log; then throws PlatformUnreachable with the last failure as its cause.
 */
export async function retryWhileUnreachable<T>(what: string, attempt: () => Promise<T>, o: RetryOptions): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + o.forMs;
  let delayMs = o.firstDelayMs ?? 1000;
  for (let attempts = 1; ; attempts += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!o.isUnreachable(error)) throw error;
      const left = deadline - now();
      const cause = error instanceof Error ? error : new Error(String(error));
      if (left <= 0) throw new PlatformUnreachable(what, attempts, { cause });
      const waitMs = Math.min(delayMs, left);
      o.log.warn(
        { attempt: attempts, retryInMs: waitMs, reason: cause.message },
        `${what} did not answer; trying again`,
      );
      await sleep(waitMs);
      delayMs = Math.min(delayMs * 2, o.maxDelayMs ?? 30_000);
    }
  }
}
