/**
 * How much memory the ticket archive takes (issue 19: an export of 10,000 tickets streams in bounded
 * memory). Seeds N tickets of one month (each with a full timeline and a revisit) into a SQLite file in a
 * child process, then, in a fresh process, exports the month as XLSX and as CSV and reports the process's
 * RSS before and its peak after each (process.resourceUsage().maxRSS), and the time taken. Run with more
 * tickets to see that the peak does not grow with them:
 *
 *   npm run bench:export                    10,000 tickets
 *   npm run bench:export -- 40000
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { type ExportContext, exportTickets } from '../../src/app/exports/tickets.js';
import type { Ticket } from '../../src/core/tickets/ticket.js';
import { createI18n, readLocales } from '../../src/i18n.js';

const MONTH_START = Date.parse('2026-10-31T16:00:00Z');
const MONTH_MS = 30 * 86_400_000;
const A = { type: 'staff' as const, id: 'telegram:a', name: '王师傅' };

function ticket(i: number, n: number): Ticket {
  const at = (offset: number) => new Date(MONTH_START + Math.floor((i * MONTH_MS) / n) + offset);
  const number = `T2611${String(1 + Math.floor((i * 30) / n)).padStart(2, '0')}-${String(i).padStart(5, '0')}`;
  return {
    id: `t-${i}`,
    number,
    kind: i % 3 === 0 ? 'complaint' : 'repair',
    category: i % 2 ? 'water_power' : 'lift',
    urgency: 'normal',
    location: { kind: 'unit', building: String(1 + (i % 12)), unit: '2', room: String(100 + (i % 900)) },
    description: '卫生间天花板漏水，滴到地上了，请尽快派人来看看。我是张三，电话13812345678',
    attachments: [],
    contact: { name: '张三', phone: '+8613812345678' },
    status: 'closed',
    responsibility: 'property',
    ownerId: `o-${i % 500}`,
    origin: { channel: 'telegram', chatId: `c-${i}` },
    assignee: { id: A.id, name: A.name },
    resolution: '已更换水管并检查防水层',
    reopenCount: 0,
    createdAt: at(0),
    updatedAt: at(9_000_000),
    firstResponseAt: at(600_000),
    resolvedAt: at(7_200_000),
    closedAt: at(9_000_000),
    revisit: {
      at: at(9_000_000),
      by: 'chat',
      solved: true,
      attitude: 'satisfied',
      charged: false,
      score: 9,
      comment: '师傅很负责',
      outcome: 'closed',
    },
    revisitOutcome: 'answered',
    timeline: [
      { at: at(0), actor: { type: 'owner', id: `o-${i % 500}` }, action: 'create', to: 'recorded' },
      { at: at(600_000), actor: A, action: 'accept', from: 'recorded', to: 'accepted' },
      { at: at(1_200_000), actor: A, action: 'judge', from: 'accepted', to: 'in_progress' },
      { at: at(1_800_000), actor: A, action: 'staff_reply', note: '您好，我们下午上门查看' },
      { at: at(3_600_000), actor: A, action: 'propose_plan', from: 'in_progress', to: 'awaiting_agreement' },
      { at: at(7_200_000), actor: A, action: 'resolve', from: 'awaiting_agreement', to: 'resolved' },
      { at: at(9_000_000), actor: { type: 'system' }, action: 'close', from: 'resolved', to: 'closed' },
    ],
  };
}

async function seed(path: string, n: number): Promise<void> {
  const store = await openSqliteStore({ path });
  for (let from = 0; from < n; from += 1000) {
    await store.transaction(async (tx) => {
      for (let i = from; i < Math.min(n, from + 1000); i++) await tx.saveTicket(ticket(i, n));
    });
  }
  await store.close();
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

async function measure(path: string, n: number): Promise<void> {
  const store = await openSqliteStore({ path });
  const i18n = createI18n(readLocales(join(fileURLToPath(new URL('../../', import.meta.url)), 'locales')));
  let id = 0;
  const ctx: ExportContext = {
    store,
    clock: { now: () => new Date('2026-12-02T02:00:00Z') },
    newId: () => `bench-${++id}`,
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: 'bench', dutyPhone: '' },
    staffLocale: 'zh-CN',
    t: (locale, key, params) => i18n.translate(locale, key, params),
  };
  const dir = mkdtempSync(join(tmpdir(), 'residesk-export-bench-'));
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  console.log(`${n} tickets; RSS before the first export ${mb(before)} MB`);
  for (const format of ['xlsx', 'csv'] as const) {
    const started = performance.now();
    const out = join(dir, `nov.${format}`);
    const r = await exportTickets(ctx, { period: '2026-11', format, requester: 'cli:bench', out: { path: out } });
    const ms = Math.round(performance.now() - started);
    const peak = process.resourceUsage().maxRSS * 1024;
    console.log(
      `${format}: ${r.ok ? r.rows : 'failed'} rows, ${mb(statSync(out).size)} MB file, ${ms} ms, peak RSS so far ${mb(peak)} MB (+${mb(peak - before)} MB)`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
  await store.close();
}

const [flag, path, count] = process.argv.slice(2);
if (flag === '--seed' && path) await seed(path, Number(count));
else if (flag === '--measure' && path) await measure(path, Number(count));
else {
  const n = Number(flag ?? 10_000);
  const dir = mkdtempSync(join(tmpdir(), 'residesk-export-seed-'));
  const db = join(dir, 'bench.db');
  const self = fileURLToPath(import.meta.url);
  const tsx = (args: string[]) =>
    process.stdout.write(execFileSync('npx', ['tsx', '--expose-gc', self, ...args], { encoding: 'utf8' }));
  try {
    tsx(['--seed', db, String(n)]);
    tsx(['--measure', db, String(n)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
