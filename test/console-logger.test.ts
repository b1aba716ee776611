/** Console mode's logger: lines go to a file, not into the chat; a DATA_DIR that is not a folder falls back to stderr. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConsoleModeLogger } from '../src/logger.js';

describe('the console-mode logger', () => {
  it('writes the configured level to the file, with personal data redacted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-log-'));
    const file = join(dir, 'data', 'console.log');
    const { log, file: used } = createConsoleModeLogger({ level: 'info', format: 'json', file });
    expect(used).toBe(file);
    log.info({ phone: '13812345678' }, 'store opened');
    log.debug('not at info');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('store opened');
    expect(lines[0]).not.toContain('13812345678');
  });

  it('falls back to stderr alone when the file cannot be opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'console-log-'));
    const notADir = join(dir, 'file');
    writeFileSync(notADir, 'x');
    const { log, file } = createConsoleModeLogger({
      level: 'info',
      format: 'pretty',
      file: join(notADir, 'console.log'),
    });
    expect(file).toBeUndefined();
    expect(log.level).toBe('warn');
  });
});
