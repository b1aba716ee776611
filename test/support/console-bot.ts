/**
 * The bot `npm start` runs in the console, built in this process: the configuration from an explicit
 * environment, content, store and App through `bootstrap` (as `src/main.ts` does), the dispatcher and the
 * real console channel reading a PassThrough and writing into a string, as if the lines were piped in.
 * A restart is closing the bot and starting another on the same DATA_DIR.
 */
import { PassThrough, Writable } from 'node:stream';
import { ConsoleChannel } from '../../src/adapters/channels/console/console.js';
import { type ChannelSender, Dispatcher } from '../../src/app/dispatcher.js';
import { bootstrap, isConsoleMode, readConfig } from '../../src/bootstrap.js';
import { systemClock } from '../../src/core/ports.js';
import { silentLogger } from '../../src/logger.js';

export interface ConsoleRun {
  /** Everything the console printed, as a person at the terminal would read it. */
  stdout: string;
}

/**
 * Types `lines` into a console bot on `dataDir`, ends the input (as the end of a pipe does) and returns
 * what it printed once every line has been answered; the store is closed before it returns. `env` adds
 * variables such as DEFAULT_LOCALE; nothing is read from `process.env` or `.env`.
 */
export async function runConsoleBot(
  lines: readonly string[],
  opts: { dataDir: string; env?: Record<string, string> },
): Promise<ConsoleRun> {
  const config = readConfig({ DATA_DIR: opts.dataDir, LOG_LEVEL: 'silent', ...opts.env });
  const log = silentLogger();
  const clock = systemClock;
  const { app, store } = await bootstrap({ config, log, clock, consoleStaffRoom: isConsoleMode(config) });
  let stdout = '';
  const output = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      stdout += chunk.toString();
      done();
    },
  });
  const input = new PassThrough();
  // As in main.ts: the dispatcher delivers through the senders pushed after it is built.
  const senders: ChannelSender[] = [];
  const dispatcher = new Dispatcher({
    store,
    clock,
    senders,
    log,
    workerId: 'console-test',
    onUnreachable: (channel, chatId) => app.markUnreachable(channel, chatId),
  });
  const channel = new ConsoleChannel({
    input,
    output,
    color: false,
    handle: (inbound) => app.handleInbound(inbound),
    flush: () => dispatcher.drain(),
    now: () => clock.now(),
  });
  senders.push(channel);
  try {
    input.end(lines.map((line) => `${line}\n`).join(''));
    await channel.run();
  } finally {
    await store.close();
  }
  return { stdout };
}
