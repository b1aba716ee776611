/**
 * The application's logger: pino, with personal data and secrets redacted, writing either JSON lines
 * or (for people at a terminal) single readable lines, without any extra package.
 */
import { type DestinationStream, type LoggerOptions, type Logger as PinoLogger, pino } from 'pino';

/** The levels LOG_LEVEL accepts, most severe first; `silent` logs nothing. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The output formats LOG_FORMAT accepts: JSON lines for machines, `pretty` lines for people. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The logger every module receives. */
export type Logger = PinoLogger;

/** What {@link createLogger} replaces redacted values with. */
export const REDACTED = '[redacted]';

/**
 * Log-object paths whose values never reach the output: secrets, and owners' personal data (names,
 * phone numbers, message texts). A `*.` path covers that key one level down, e.g. `owner.phone`.
 */
export const REDACT_PATHS: readonly string[] = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'uri',
  '*.uri',
  'authorization',
  '*.authorization',
  '*.headers.authorization',
  'phone',
  '*.phone',
  'name',
  '*.name',
  'text',
  '*.text',
];

/** How to build a logger. */
export interface CreateLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go; standard output when left out. Tests pass a collecting stream. */
  destination?: DestinationStream;
}

/** Builds the application logger with redaction applied; `pretty` output is written through {@link prettyStream}. */
export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
  };
  if (opts.format === 'pretty') {
    return pino({ ...options, base: null }, prettyStream(opts.destination ?? process.stdout));
  }
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/**
 * The logger of console mode, where the chat owns the terminal: log lines go to `file` (created with its
 * folder) at the configured level, and only warnings and errors to stderr as well, so the chat is not
 * buried in them. When the file cannot be opened (DATA_DIR is not a folder), stderr alone at warn, and
 * start-up goes on to report the real fault. `file` in the result says where the lines went, if anywhere.
 */
export function createConsoleModeLogger(opts: Omit<CreateLoggerOptions, 'destination'> & { file: string }): {
  log: Logger;
  file?: string;
} {
  const wrap = (d: DestinationStream) => (opts.format === 'pretty' ? prettyStream(d) : d);
  const options: LoggerOptions = {
    level: opts.level,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    ...(opts.format === 'pretty' ? { base: null } : {}),
  };
  const stderr = pino.destination({ dest: 2, sync: true });
  let file: DestinationStream | undefined;
  try {
    file = pino.destination({ dest: opts.file, mkdir: true, sync: true });
  } catch {
    file = undefined;
  }
  const quiet = opts.level === 'silent' ? 'silent' : moreSevere(opts.level, 'warn');
  if (!file) return { log: pino({ ...options, level: quiet }, wrap(stderr)) };
  const streams = [
    { level: opts.level === 'silent' ? 'fatal' : opts.level, stream: wrap(file) },
    { level: quiet === 'silent' ? 'fatal' : quiet, stream: wrap(stderr) },
  ] as const;
  return { log: pino(options, pino.multistream([...streams])), file: opts.file };
}

/** The more severe of two levels (`warn` over `info`, `error` over `warn`). */
function moreSevere(a: Exclude<LogLevel, 'silent'>, b: Exclude<LogLevel, 'silent'>): Exclude<LogLevel, 'silent'> {
  return LOG_LEVELS.indexOf(a) <= LOG_LEVELS.indexOf(b) ? a : b;
}

/** A logger that writes nothing, for tests and for code that does not care about logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * A pino destination that turns each JSON log line into `time LEVEL msg key=value …` and writes it to
 * `out`. An error's stack trace follows on indented lines.
 */
export function prettyStream(out: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      out.write(prettyLine(line));
    },
  };
}

const OMITTED_KEYS = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'v']);

function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const parts = [formatTime(record.time), formatLevel(record.level)];
  if (typeof record.msg === 'string' && record.msg !== '') parts.push(record.msg);
  const stacks: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (OMITTED_KEYS.has(key)) continue;
    if (isSerializedError(value)) {
      parts.push(`${key}=${formatValue(`${value.type ?? 'Error'}: ${value.message}`)}`);
      if (typeof value.stack === 'string') stacks.push(...value.stack.split('\n').slice(1));
      continue;
    }
    parts.push(`${key}=${formatValue(value)}`);
  }
  const trace = stacks.map((frame) => `    ${frame.trim()}\n`).join('');
  return `${parts.join(' ')}\n${trace}`;
}

function formatTime(time: unknown): string {
  const date = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date();
  if (Number.isNaN(date.getTime())) return String(time);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

function formatLevel(level: unknown): string {
  const label = typeof level === 'number' ? pino.levels.labels[level] : undefined;
  return (label ?? String(level)).toUpperCase().padEnd(5);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === undefined) return 'undefined';
  return JSON.stringify(value);
}

function isSerializedError(value: unknown): value is { type?: string; message: string; stack?: unknown } {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { stack?: unknown }).stack === 'string'
  );
}

/**
 * A warning that may come in floods (a webhook probed with a wrong secret, uploads cut off half way): the
 * first one of a period is logged at once, the rest are counted, and when the period ends one line says
 * how many more there were (`count`). So 4,658 refused requests make a few lines, not 4,658.
 */
export class RepeatedWarning {
  private counted = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    /** How long one line stands for; default a minute. */
    private readonly periodMs = 60_000,
  ) {}

  /** One more occurrence; `fields` (no personal data) go with the line that reports it. */
  note(fields: Record<string, unknown> = {}): void {
    if (this.timer) {
      this.counted += 1;
      return;
    }
    this.log.warn({ ...fields, count: 1 }, this.message);
    this.timer = setTimeout(() => this.endPeriod(fields), this.periodMs);
    this.timer.unref();
  }

  /** Logs what was counted and not yet said (on shutdown), and starts afresh. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counted > 0) this.report({});
  }

  private endPeriod(fields: Record<string, unknown>): void {
    this.timer = undefined;
    if (this.counted === 0) return;
    this.report(fields);
    // A flood still going on: keep counting for another period rather than logging its next one at once.
    this.timer = setTimeout(() => this.endPeriod(fields), this.periodMs);
    this.timer.unref();
  }

  private report(fields: Record<string, unknown>): void {
    const count = this.counted;
    this.counted = 0;
    this.log.warn({ ...fields, count, periodMs: this.periodMs }, `${this.message} (${count} more in the last period)`);
  }
}
