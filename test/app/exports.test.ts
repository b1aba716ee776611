/**
 * The archive of a period's tickets (issue 19): the rows of a seeded November checked cell by cell against
 * values worked by hand (times in Shanghai, steps from the timeline, the revisit's answers), the period's
 * edges in the business time zone, masking by default and the unmasked file only for a supervisor (and on
 * the audit log), and the XLSX read back with exceljs: one row per ticket.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { ARCHIVE_COLUMNS } from '../../src/app/exports/rows.js';
import { type ExportContext, exportTickets } from '../../src/app/exports/tickets.js';

import type { Ticket } from '../../src/core/tickets/ticket.js';
import { makeOwner, makeStaff, makeTicket } from '../fixtures.js';
import { FakeClock } from '../support/clock.js';
import { i18n } from '../support/harness.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'residesk-export-test-'));
  dirs.push(d);
  return d;
}

const Z = (iso: string) => new Date(iso);
const A = { type: 'staff' as const, id: 'telegram:a', name: '王师傅' };

async function seeded() {
  const store = await openSqliteStore({ path: ':memory:' });
  const clock = new FakeClock('2026-12-02T02:00:00Z');
  let n = 0;
  const ctx: ExportContext = {
    store,
    clock,
    newId: () => `id-${++n}`,
    settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: '阳光花园', dutyPhone: '' },
    staffLocale: 'zh-CN',
    t: (locale, key, params) => i18n.translate(locale, key, params),
  };
  await store.saveOwner(makeOwner({ id: 'o-zhang', name: '张三丰', phone: '+8613812345678' }));
  await store.saveOwner(makeOwner({ id: 'o-li', name: '李四', phone: '+8613900001111' }));
  await store.saveStaff(makeStaff({ id: 'telegram:sup', role: 'supervisor', displayName: '赵主管' }));
  await store.saveStaff(makeStaff({ id: 'telegram:a', role: 'staff', displayName: '王师傅' }));
  // 2026-10-31 23:59 in Shanghai: October's.
  await store.saveTicket(makeTicket({ number: 'T261031-0001', ownerId: 'o-li', createdAt: Z('2026-10-31T15:59:00Z') }));
  // 2026-11-01 00:30 in Shanghai: the month's first; a whole procedure, revisited and closed.
  const full: Ticket = makeTicket({
    number: 'T261101-0001',
    ownerId: 'o-zhang',
    kind: 'complaint',
    category: 'leaks_fabric',
    urgency: 'urgent',
    responsibility: 'developer',
    status: 'closed',
    location: { kind: 'unit', building: '3', unit: '2', room: '501' },
    contact: { name: '张三丰', phone: '+8613812345678' },
    description: '卫生间天花板漏水，我是张三丰，电话13812345678',
    summary: '卫生间天花板漏水',
    assignee: { id: 'telegram:a', name: '王师傅' },
    origin: { channel: 'wechat', chatId: 'wx-1' },
    resolution: '已修补防水层',
    scheduledFor: Z('2026-11-02T06:00:00Z'),
    createdAt: Z('2026-10-31T16:30:00Z'),
    firstResponseAt: Z('2026-10-31T17:00:00Z'),
    resolvedAt: Z('2026-11-03T08:15:00Z'),
    closedAt: Z('2026-11-05T02:00:00Z'),
    reopenCount: 1,
    revisit: {
      at: Z('2026-11-05T02:00:00Z'),
      by: 'phone',
      solved: true,
      attitude: 'so_so',
      charged: false,
      score: 8,
      comment: '师傅很负责，联系我13812345678',
      outcome: 'closed',
    },
    revisitOutcome: 'answered',
    timeline: [
      { at: Z('2026-10-31T16:30:00Z'), actor: { type: 'owner', id: 'o-zhang' }, action: 'create', to: 'recorded' },
      { at: Z('2026-10-31T17:00:00Z'), actor: A, action: 'accept', from: 'recorded', to: 'accepted' },
      { at: Z('2026-11-01T01:00:00Z'), actor: A, action: 'judge', from: 'accepted', to: 'in_progress' },
      { at: Z('2026-11-01T02:00:00Z'), actor: { type: 'system' }, action: 'escalation' },
      {
        at: Z('2026-11-01T03:00:00Z'),
        actor: A,
        action: 'propose_plan',
        from: 'in_progress',
        to: 'awaiting_agreement',
      },
      { at: Z('2026-11-01T04:00:00Z'), actor: A, action: 'resolve', from: 'awaiting_agreement', to: 'resolved' },
      {
        at: Z('2026-11-02T04:00:00Z'),
        actor: { type: 'owner', id: 'o-zhang' },
        action: 'reopen',
        from: 'resolved',
        to: 'reopened',
      },
      { at: Z('2026-11-03T08:15:00Z'), actor: A, action: 'resolve', from: 'reopened', to: 'resolved' },
      {
        at: Z('2026-11-05T02:00:00Z'),
        actor: { type: 'owner', id: 'o-zhang' },
        action: 'close',
        from: 'resolved',
        to: 'closed',
      },
    ],
  });
  await store.saveTicket(full);
  // 2026-11-30 23:59 in Shanghai: the month's last; just recorded, the contact from the owner's record.
  await store.saveTicket(
    makeTicket({
      number: 'T261130-0001',
      ownerId: 'o-li',
      location: { kind: 'public', description: '5栋电梯厅' },
      origin: { channel: 'telegram', chatId: 'tg-1' },
      description: '电梯厅灯不亮',
      createdAt: Z('2026-11-30T15:59:00Z'),
    }),
  );
  // 2026-12-01 00:00 in Shanghai: December's.
  await store.saveTicket(makeTicket({ number: 'T261201-0001', ownerId: 'o-li', createdAt: Z('2026-11-30T16:00:00Z') }));
  return { store, ctx, clock };
}

const row = (values: Partial<Record<(typeof ARCHIVE_COLUMNS)[number], string>>) =>
  ARCHIVE_COLUMNS.map((c) => values[c] ?? '');

/** Worked by hand: the closed complaint, masked. */
const FULL_MASKED = row({
  number: 'T261101-0001',
  status: '已关闭',
  kind: '投诉',
  category: '渗漏与房屋本体',
  urgency: '加急',
  responsibility: '开发商（保修期内）',
  building: '3',
  room: '***',
  owner: '张**',
  phone: '138****5678',
  channel: '微信',
  assignee: '王师傅',
  filed_at: '2026-11-01 00:30',
  first_response_at: '2026-11-01 01:00',
  accepted_at: '2026-11-01 01:00',
  judged_at: '2026-11-01 09:00',
  planned_at: '2026-11-01 11:00',
  scheduled_for: '2026-11-02 14:00',
  resolved_at: '2026-11-03 16:15',
  closed_at: '2026-11-05 10:00',
  reopened_at: '2026-11-02 12:00',
  reopen_count: '1',
  escalated: '是',
  result: '已修补防水层',
  revisit_at: '2026-11-05 10:00',
  revisit_by: '电话',
  revisit_solved: '是',
  revisit_attitude: '一般',
  revisit_charged: '否',
  revisit_score: '8',
  revisit_outcome: '已关闭',
  revisit_comment: '师傅很负责，联系我[PHONE]',
  summary: '卫生间天花板漏水',
});

/** The public-area ticket just recorded, masked: the owner's record gives name and phone. */
const LAST_MASKED = row({
  number: 'T261130-0001',
  status: '已登记',
  kind: '报修',
  category: '户内水电',
  urgency: '一般',
  responsibility: '待确定',
  building: '',
  room: '5栋电梯厅',
  owner: '李*',
  phone: '139****1111',
  channel: 'Telegram',
  filed_at: '2026-11-30 23:59',
  reopen_count: '0',
  escalated: '否',
  summary: '电梯厅灯不亮',
});

describe('the archive of a period’s tickets', () => {
  it('writes one row per ticket of the month in the business time zone, worked by hand, masked by default', async () => {
    const { ctx } = await seeded();
    const dir = tempDir();
    const r = await exportTickets(ctx, {
      period: '2026-11',
      format: 'csv',
      requester: 'cli:ops',
      out: { path: join(dir, 'nov.csv') },
    });
    expect(r).toMatchObject({
      ok: true,
      rows: 2,
      masked: true,
      fileName: 'tickets-2026-11.csv',
      path: join(dir, 'nov.csv'),
    });
    const text = readFileSync(join(dir, 'nov.csv'), 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trimEnd().split('\n');
    expect(lines[0]?.split(',')).toEqual(ARCHIVE_COLUMNS.map((c) => i18n.translate('zh-CN', `archive.column.${c}`)));
    expect(lines.slice(1)).toEqual([FULL_MASKED.join(','), LAST_MASKED.join(',')]);
    expect(text).not.toContain('13812345678');
    expect(text).not.toContain('张三丰');
    expect(text).not.toContain('501');
  });

  it('reads a quarter, and refuses a period it cannot read', async () => {
    const { ctx } = await seeded();
    const dir = tempDir();
    const q = await exportTickets(ctx, {
      period: '2026-Q4',
      format: 'csv',
      requester: 'cli:ops',
      out: { path: join(dir, 'q.csv') },
    });
    expect(q.ok && q.rows).toBe(4);
    expect(await exportTickets(ctx, { period: '2026-13', format: 'csv', requester: 'cli:ops' })).toEqual({
      ok: false,
      reason: 'bad_period',
    });
    expect(await exportTickets(ctx, { period: 'last month', format: 'csv', requester: 'cli:ops' })).toEqual({
      ok: false,
      reason: 'bad_period',
    });
  });

  it('shows personal data only to a supervisor who asks for it, and puts every export on the audit log', async () => {
    const { ctx, store } = await seeded();
    const dir = tempDir();
    const out = { path: join(dir, 'x.csv') };
    for (const requester of ['telegram:a', 'cli:ops', 'telegram:nobody']) {
      expect(await exportTickets(ctx, { period: '2026-11', format: 'csv', requester, unmasked: true, out })).toEqual({
        ok: false,
        reason: 'not_allowed',
      });
    }
    expect(await store.listAudit({})).toEqual({ entries: [] });
    const r = await exportTickets(ctx, {
      period: '2026-11',
      format: 'csv',
      requester: 'telegram:sup',
      unmasked: true,
      via: 'cli',
      out,
    });
    expect(r).toMatchObject({ ok: true, masked: false, rows: 2 });
    const text = readFileSync(out.path, 'utf8');
    expect(text).toContain(',3-2-501,张三丰,+8613812345678,');
    expect(text).toContain('师傅很负责，联系我13812345678');
    await exportTickets(ctx, {
      period: '2026-Q4',
      format: 'xlsx',
      requester: 'telegram:a',
      out: { path: join(dir, 'y.xlsx') },
    });
    const entries = (await store.listAudit({})).entries;
    expect(entries.map((e) => [e.actor.id, e.action, e.via, e.subject?.id, e.detail])).toEqual([
      ['telegram:sup', 'reveal.export', 'cli', '2026-11', { format: 'csv', masked: false }],
      ['telegram:a', 'export.tickets', 'telegram', '2026-Q4', { format: 'xlsx', masked: true }],
    ]);
    expect((await store.listAudit({ action: 'reveal' })).entries.map((e) => e.actor.role)).toEqual(['supervisor']);
  });

  it('writes a workbook that exceljs opens, one row per ticket after the header', async () => {
    const { ctx } = await seeded();
    const r = await exportTickets(ctx, { period: '2026-11', format: 'xlsx', requester: 'cli:ops', pageSize: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok || !r.path) return;
    dirs.push(r.path);
    expect(r.path.endsWith('tickets-2026-11.xlsx')).toBe(true);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(r.path);
    const sheet = book.worksheets[0];
    expect(sheet?.name).toBe('工单 2026-11');
    const values: string[][] = [];
    sheet?.eachRow((line) => {
      values.push(ARCHIVE_COLUMNS.map((_, i) => String(line.getCell(i + 1).value ?? '')));
    });
    expect(values.length).toBe(3);
    expect(values[1]).toEqual(FULL_MASKED);
    expect(values[2]).toEqual(LAST_MASKED);
  });
});
