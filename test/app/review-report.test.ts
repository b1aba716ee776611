/**
 * The review report of a month (issue 19): the figures of a seeded November worked out by hand, the same
 * whether SQLite counts them (on its report worker) or the tickets are walked, and the report's charts
 * drawn as PNG files of the promised size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createChartRenderer } from '../../src/adapters/charts/renderer.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { summaryPeriod } from '../../src/app/desk/reports.js';
import { type ReviewContext, reviewReport } from '../../src/app/desk/review.js';
import { reviewCharts } from '../../src/app/desk/review-charts.js';
import { type ReportReader, reviewFigures } from '../../src/app/desk/review-figures.js';
import type { Store } from '../../src/core/ports.js';
import type { RevisitRecord, Ticket, TimelineEvent } from '../../src/core/tickets/ticket.js';
import { silentLogger } from '../../src/logger.js';
import { makeTicket } from '../fixtures.js';
import { i18n } from '../support/harness.js';

const ZONE = 'Asia/Shanghai';
const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);
const at = (iso: string) => new Date(iso);
const staff = { type: 'staff' as const, id: 's1', name: '李师傅' };

function accepted(created: string, accept: string, extra: TimelineEvent[] = []): Pick<Ticket, 'timeline'> {
  return {
    timeline: [
      { at: at(created), actor: { type: 'owner', id: 'o' }, action: 'create', to: 'recorded' },
      { at: at(accept), actor: staff, action: 'accept', from: 'recorded', to: 'accepted' },
      ...extra,
    ],
  };
}

function revisit(score: number, attitude: RevisitRecord['attitude'], solved: boolean): RevisitRecord {
  return { at: at('2026-11-28T02:00:00Z'), by: 'chat', solved, attitude, charged: false, score, outcome: 'closed' };
}

/**
 * November 2026 in Asia/Shanghai (UTC+8), 1 November a Sunday. Six tickets in it, two just outside it.
 * Default service levels: a normal repair accepted within 2 business hours, a complaint within 1.
 */
function november(): Ticket[] {
  const t = (created: string, o: Partial<Ticket>) =>
    makeTicket({ createdAt: at(created), updatedAt: at(created), ...o });
  return [
    // T1: Sun 1 Nov 10:00, accepted after 30 min, resolved in time, revisited 9 (satisfied, solved).
    t('2026-11-01T02:00:00Z', {
      responsibility: 'property',
      status: 'closed',
      firstResponseAt: at('2026-11-01T02:30:00Z'),
      resolvedAt: at('2026-11-01T03:30:00Z'),
      revisit: revisit(9, 'satisfied', true),
      ...accepted('2026-11-01T02:00:00Z', '2026-11-01T02:30:00Z'),
    }),
    // T2: Tue 3 Nov 10:00, lift (developer's), building 5, accepted 4 h later (late), escalated, resolved
    // weeks later (late), revisited 4 (unsatisfied, not solved) and reopened.
    t('2026-11-03T02:00:00Z', {
      category: 'lift',
      responsibility: 'developer',
      location: { kind: 'unit', building: '5', room: '1201' },
      status: 'reopened',
      reopenCount: 1,
      firstResponseAt: at('2026-11-03T06:00:00Z'),
      resolvedAt: at('2026-12-20T02:00:00Z'),
      revisit: revisit(4, 'unsatisfied', false),
      ...accepted('2026-11-03T02:00:00Z', '2026-11-03T06:00:00Z', [
        { at: at('2026-11-03T04:00:00Z'), actor: { type: 'system' }, action: 'escalation' },
      ]),
    }),
    // T3: Tue 10 Nov 09:00, a complaint about cleaning in a public area, accepted after 20 min.
    t('2026-11-10T01:00:00Z', {
      kind: 'complaint',
      category: 'cleaning',
      responsibility: 'property',
      location: { kind: 'public', description: '北门' },
      status: 'accepted',
      firstResponseAt: at('2026-11-10T01:20:00Z'),
      ...accepted('2026-11-10T01:00:00Z', '2026-11-10T01:20:00Z'),
    }),
    // T4: Tue 17 Nov, a complaint about renovation noise, no place given, never accepted.
    t('2026-11-17T03:00:00Z', {
      kind: 'complaint',
      category: 'noise_renovation',
      responsibility: 'owner',
      location: undefined,
    }),
    // T5: Tue 24 Nov 10:00, the utility's, accepted after 10 min, resolved 2 h later, revisited 8 (so-so).
    t('2026-11-24T02:00:00Z', {
      responsibility: 'utility',
      status: 'closed',
      firstResponseAt: at('2026-11-24T02:10:00Z'),
      resolvedAt: at('2026-11-24T04:00:00Z'),
      revisit: revisit(8, 'so_so', true),
      ...accepted('2026-11-24T02:00:00Z', '2026-11-24T02:10:00Z'),
    }),
    // T6: Mon 30 Nov 23:00 local, a suggestion for building 12.
    t('2026-11-30T15:00:00Z', {
      kind: 'suggestion',
      category: 'other',
      location: { kind: 'unit', building: '12', room: '301' },
    }),
    // Outside: 31 Oct 23:30 and 1 Dec 00:00 local.
    t('2026-10-31T15:30:00Z', { kind: 'complaint' }),
    t('2026-11-30T16:00:00Z', { kind: 'complaint' }),
  ];
}

function contextOf(store: Store): ReviewContext {
  return {
    store,
    settings: { defaultLocale: 'zh-CN', timeZone: ZONE, estateName: '阳光花园', dutyPhone: '' },
    policy: DEFAULT_POLICY,
    log: silentLogger(),
    t: (locale, key, params) => i18n.translate(locale, key, params),
    staffLocale: 'zh-CN',
  };
}

/** The store's report reads only: a store that counts nothing itself, so the tickets are walked. */
function plainReader(store: Store): ReportReader {
  return {
    listTickets: (q) => store.listTickets(q),
    listTicketsCreated: (p, page) => store.listTicketsCreated(p, page),
    countTicketsCreated: (p) => store.countTicketsCreated(p),
    countPraise: (p) => store.countPraise(p),
    countEnquiries: (p) => store.countEnquiries(p),
  };
}

const dir = mkdtempSync(join(tmpdir(), 'review-'));
const renderer = createChartRenderer();
afterAll(async () => {
  await renderer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function seeded(): Promise<Store> {
  // A file, so the report reads run on the report worker as in production.
  const store = await openSqliteStore({ path: join(dir, `${Math.random().toString(36).slice(2)}.db`) });
  for (const ticket of november()) await store.saveTicket(ticket);
  return store;
}

describe('review figures of a month, worked by hand', () => {
  it('counts November by week, category and responsibility, place, deadlines and revisit scores', async () => {
    const store = await seeded();
    const period = summaryPeriod('2026-11', new Date('2026-12-01T00:00:00Z'), ZONE);
    if (!period) throw new Error('no period');
    // SQLite counts the figures itself (else they are walked, and the comparison below compares nothing).
    for (const read of ['countService', 'listAccepted', 'countPlaces', 'countScores', 'countCategories']) {
      expect(typeof (store as unknown as Record<string, unknown>)[read]).toBe('function');
    }
    const counted = await reviewFigures(contextOf(store), store, period);
    const walked = await reviewFigures(contextOf(store), plainReader(store), period);
    await store.close();

    expect(counted.counts.total).toBe(6);
    expect(counted.counts.kind).toEqual({ repair: 3, complaint: 2, suggestion: 1 });
    expect(counted.weeks.map((w) => [w.start.toISOString(), w.total, w.kind])).toEqual([
      ['2026-10-31T16:00:00.000Z', 1, { repair: 1 }],
      ['2026-11-01T16:00:00.000Z', 1, { repair: 1 }],
      ['2026-11-08T16:00:00.000Z', 1, { complaint: 1 }],
      ['2026-11-15T16:00:00.000Z', 1, { complaint: 1 }],
      ['2026-11-22T16:00:00.000Z', 1, { repair: 1 }],
      ['2026-11-29T16:00:00.000Z', 1, { suggestion: 1 }],
    ]);
    expect(counted.byCategory).toEqual({
      water_power: { property: 1, utility: 1 },
      lift: { developer: 1 },
      cleaning: { property: 1 },
      noise_renovation: { owner: 1 },
      other: { unknown: 1 },
    });
    expect(counted.places).toEqual([
      { key: { building: '3' }, count: 2 },
      { key: { building: '5' }, count: 1 },
      { key: { building: '12' }, count: 1 },
      { key: { place: 'public' }, count: 1 },
      { key: { place: 'none' }, count: 1 },
    ]);
    expect(counted.service).toEqual({
      accepted: 4,
      acceptedInTime: 3,
      resolved: 3,
      resolvedInTime: 2,
      escalated: 1,
      reopened: 1,
      responded: 4,
      responseMs: (30 + 240 + 20 + 10) * 60_000,
      revisited: 3,
      scoreSum: 21,
      satisfied: 1,
    });
    expect(counted.scores).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 1, 0]);
    // The same figures when the store counts nothing itself.
    expect(walked).toEqual(counted);

    const specs = reviewCharts(zh, counted, ZONE);
    expect(specs.map((s) => s.name)).toEqual([
      'review-2026-11-1-weeks',
      'review-2026-11-2-categories',
      'review-2026-11-3-buildings',
      'review-2026-11-4-deadlines',
      'review-2026-11-5-revisits',
    ]);
    const [weeks, categories, buildings, deadlines, revisits] = specs;
    expect(weeks?.categories).toEqual([
      '11月1日起',
      '11月2日起',
      '11月9日起',
      '11月16日起',
      '11月23日起',
      '11月30日起',
    ]);
    expect(weeks?.series).toEqual([
      { name: zh('ticket.kind.repair'), values: [1, 1, 0, 0, 1, 0] },
      { name: zh('ticket.kind.complaint'), values: [0, 0, 1, 1, 0, 0] },
      { name: zh('ticket.kind.suggestion'), values: [0, 0, 0, 0, 0, 1] },
    ]);
    expect(categories?.categories[0]).toBe(zh('ticket.category.water_power'));
    expect(buildings?.categories).toEqual(['3栋', '5栋', '12栋', '公共区域', '未注明地点']);
    expect(buildings?.series[0]?.values).toEqual([2, 1, 1, 1, 1]);
    expect(deadlines?.series.map((s) => s.values)).toEqual([
      [3, 2, 0, 0],
      [1, 1, 0, 0],
      [0, 0, 1, 1],
    ]);
    expect(deadlines?.subtitle).toBe(zh('review.service.subtitle', { minutes: 75, accepted: '75%', resolved: '67%' }));
    expect(revisits?.subtitle).toBe(
      zh('review.revisit.subtitle', { count: 3, score: '7.0', satisfied: 1, reopen: '17%' }),
    );
  }, 60_000);
});

describe('the review report of a period', () => {
  it('gives the text of /summary and five PNG charts of 1000 × 600', async () => {
    const store = await seeded();
    const period = summaryPeriod('2026-11', new Date('2026-12-01T00:00:00Z'), ZONE);
    if (!period) throw new Error('no period');
    const report = await reviewReport(contextOf(store), renderer, period);
    await store.close();
    expect(report.text.split('\n')[0]).toBe(zh('desk.summary.title', { period: '2026-11', count: 6 }));
    expect(report.text).toContain(
      zh('desk.summary.service', {
        minutes: 75,
        accepted: 3,
        acceptedOf: 4,
        resolved: 2,
        resolvedOf: 3,
        escalated: 1,
        reopened: 1,
      }),
    );
    expect(report.charts.map((c) => c.fileName)).toEqual([
      'review-2026-11-1-weeks.png',
      'review-2026-11-2-categories.png',
      'review-2026-11-3-buildings.png',
      'review-2026-11-4-deadlines.png',
      'review-2026-11-5-revisits.png',
    ]);
    for (const chart of report.charts) {
      const png = Buffer.from(chart.png);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      // IHDR: width and height, big-endian, at bytes 16 and 20.
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1000, 600]);
      expect(png.length).toBeGreaterThan(10_000);
    }
    expect(report.charts[0]?.title).toBe(zh('review.volume.title'));
  }, 60_000);

  it('covers a quarter, and a period without tickets has no ticket charts', async () => {
    const store = await seeded();
    const quarter = summaryPeriod('2026-Q4', new Date('2026-12-01T00:00:00Z'), ZONE);
    const empty = summaryPeriod('2026-06', new Date('2026-12-01T00:00:00Z'), ZONE);
    if (!quarter || !empty) throw new Error('no period');
    const q4 = await reviewFigures(contextOf(store), store, quarter);
    const june = await reviewReport(contextOf(store), renderer, empty);
    await store.close();
    // October 1 (a Thursday) to December 31: 14 weeks; both tickets just outside November are in it.
    expect(q4.counts.total).toBe(8);
    expect(q4.weeks).toHaveLength(14);
    expect(q4.weeks.reduce((n, w) => n + w.total, 0)).toBe(8);
    expect(june.text).toBe(zh('desk.summary.title', { period: '2026-06', count: 0 }));
    expect(june.charts).toEqual([]);
  }, 60_000);
});
