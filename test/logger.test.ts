import { describe, expect, it, vi } from 'vitest';
import { createLogger, type LogFormat, REDACTED, RepeatedWarning, silentLogger } from '../src/logger.js';

function collect(format: LogFormat) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', format, destination: { write: (line) => lines.push(line) } });
  return { logger, lines };
}

const PHONE = '+8613812345678';
const TOKEN = '123456789:AAE-secret_token_value';

describe('createLogger', () => {
  it.each(['json', 'pretty'] as const)('redacts personal data and secrets (%s)', (format) => {
    const { logger, lines } = collect(format);
    logger.info(
      {
        phone: PHONE,
        owner: { name: 'Wang Fang', phone: PHONE },
        token: TOKEN,
        telegram: { token: TOKEN },
        message: { text: 'my flat is 3-2-501' },
        apiKey: 'sk-abcdef',
        headers: { authorization: 'Bearer xyz-secret' },
        ticket: 'T261128-0007',
      },
      'ticket opened',
    );
    const output = lines.join('');
    for (const secret of [PHONE, TOKEN, 'Wang Fang', '3-2-501', 'sk-abcdef', 'xyz-secret']) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain(REDACTED);
    expect(output).toContain('T261128-0007');
    expect(output).toContain('ticket opened');
  });

  it('writes JSON lines in json format', () => {
    const { logger, lines } = collect('json');
    logger.warn({ ticket: 'T1' }, 'late');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(record).toMatchObject({ level: 40, msg: 'late', ticket: 'T1' });
  });

  it('writes one readable line per entry in pretty format', () => {
    const { logger, lines } = collect('pretty');
    logger.info({ ticket: 'T1', attempt: 2, note: 'two words', nested: { a: 1 } }, 'sent');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} INFO {2}sent ticket=T1 attempt=2 note="two words" nested=\{"a":1\}\n$/,
    );
  });

  it('puts an error stack on indented lines after the entry in pretty format', () => {
    const { logger, lines } = collect('pretty');
    logger.error({ err: new TypeError('boom') }, 'failed');
    const [first = '', ...trace] = (lines[0] ?? '').trimEnd().split('\n');
    expect(first).toMatch(/ERROR failed err="TypeError: boom"$/);
    expect(trace.length).toBeGreaterThan(0);
    expect(trace.every((line) => line.startsWith('    at '))).toBe(true);
  });

  it('respects the level', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', format: 'json', destination: { write: (line) => lines.push(line) } });
    logger.info('hidden');
    logger.error('shown');
    expect(lines).toHaveLength(1);
  });
});

describe('silentLogger', () => {
  it('logs nothing', () => {
    const logger = silentLogger();
    expect(logger.level).toBe('silent');
    expect(logger.isLevelEnabled('fatal')).toBe(false);
  });
});

describe('RepeatedWarning', () => {
  it('logs the first of a period at once and the count of the rest when the period ends', () => {
    vi.useFakeTimers();
    try {
      const lines: string[] = [];
      const log = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => lines.push(l) } });
      const warning = new RepeatedWarning(log, 'refused', 60_000);
      const counts = () => lines.map((l) => (JSON.parse(l) as { count: number }).count);
      for (let i = 0; i < 100; i += 1) warning.note();
      expect(counts()).toEqual([1]);
      vi.advanceTimersByTime(60_000);
      expect(counts()).toEqual([1, 99]);
      vi.advanceTimersByTime(60_000);
      expect(counts()).toEqual([1, 99]);
      warning.note();
      expect(counts()).toEqual([1, 99, 1]);
      warning.note();
      warning.flush();
      expect(counts()).toEqual([1, 99, 1, 1]);
    } finally {
      vi.useRealTimers();
    }
  });
});
