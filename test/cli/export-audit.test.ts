/**
 * `npm run export` and `npm run audit` on the configured store (SQLite under DATA_DIR here): the archive
 * written where asked, the unmasked one only as a supervisor and on the audit log, which `npm run audit`
 * then shows by actor, action and time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { parseAuditArgs, runAuditCli } from '../../src/cli/audit.js';
import { parseExportArgs, runExportCli } from '../../src/cli/export.js';
import { makeOwner, makeStaff, makeTicket } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';

let dir: string;
let env: Record<string, string>;
const clock = new FakeClock('2026-12-02T02:00:00Z');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'residesk-export-cli-'));
  env = { DATA_DIR: dir, TZ: 'Asia/Shanghai', DEFAULT_LOCALE: 'zh-CN' };
  const store = await openSqliteStore({ path: join(dir, 'residesk.db') });
  await store.saveOwner(makeOwner({ id: 'o-1', name: '张三', phone: '+8613812345678' }));
  await store.saveStaff(makeStaff({ id: 'telegram:sup', role: 'supervisor', displayName: '赵主管' }));
  await store.saveStaff(makeStaff({ id: 'telegram:a', role: 'staff' }));
  for (const day of ['2026-11-03T02:00:00Z', '2026-11-20T02:00:00Z', '2026-12-01T02:00:00Z'])
    await store.saveTicket(
      makeTicket({ ownerId: 'o-1', contact: { name: '张三', phone: '+8613812345678' }, createdAt: new Date(day) }),
    );
  await store.close();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(cli: typeof runExportCli, argv: string[]) {
  let out = '';
  let err = '';
  const code = await cli(argv, { out: (t) => (out += t), err: (t) => (err += t) }, { env, clock });
  return { code, out, err };
}

describe('npm run export / npm run audit', () => {
  it('reads their arguments, refusing what they cannot use', () => {
    expect(parseExportArgs(['tickets', '2026-11', '--format', 'csv', '--out', 'x.csv'])).toEqual({
      period: '2026-11',
      format: 'csv',
      out: 'x.csv',
      unmasked: false,
    });
    expect(parseExportArgs(['tickets', '2026-11', '--unmasked'])).toMatch(/--as/);
    expect(parseExportArgs(['tickets', '2026-11', '--format', 'pdf'])).toMatch(/xlsx or csv/);
    expect(parseExportArgs(['owners', '2026-11'])).toMatch(/only tickets/);
    expect(parseAuditArgs(['--since', '7d', '--ticket', 't261128-0001', '--json'])).toEqual({
      since: '7d',
      subject: 'T261128-0001',
      limit: 1000,
      json: true,
    });
    expect(parseAuditArgs(['--actor'])).toMatch(/needs a value/);
  });

  it('writes the month masked, unmasked only as a supervisor, and the audit log shows who did it', async () => {
    const masked = await run(runExportCli, ['tickets', '2026-11', '--format', 'csv', '--out', join(dir, 'nov.csv')]);
    expect(masked.code).toBe(0);
    expect(masked.out).toContain('2 tickets, 2026-11, masked');
    expect(readFileSync(join(dir, 'nov.csv'), 'utf8')).toContain('138****5678');

    const refused = await run(runExportCli, ['tickets', '2026-11', '--unmasked', '--as', 'telegram:a']);
    expect(refused.code).toBe(1);
    const out = join(dir, 'nov.xlsx');
    const shown = await run(runExportCli, ['tickets', '2026-11', '--unmasked', '--as', 'telegram:sup', '--out', out]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(out);
    expect(shown.out).toContain('UNMASKED');
    expect((await run(runExportCli, ['tickets', '2026-14'])).code).toBe(2);

    const reveals = await run(runAuditCli, ['--since', '1d', '--action', 'reveal']);
    expect(reveals.code).toBe(0);
    expect(reveals.out.trim().split('\n')).toEqual([
      '2026-12-02 10:00:00  telegram:sup (赵主管, supervisor)  reveal.export 2026-11  via cli format=xlsx masked=false',
    ]);
    const all = await run(runAuditCli, ['--since', '2026-12-02', '--json']);
    expect(
      all.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).action)
        .sort(),
    ).toEqual(['export.tickets', 'reveal.export']);
    expect((await run(runAuditCli, ['--actor', 'telegram:a'])).out).toBe('');
    expect((await run(runAuditCli, ['--since', 'yesterday'])).code).toBe(2);
  });
});
