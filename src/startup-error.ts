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
