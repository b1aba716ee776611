/**
 * The figures of a review (step 8 of domain.md, 总结评价) for a month or a quarter: what `/summary` says
 * in words and what the review's charts draw, read once for both. Everything is counted by the store where
 * it can count it (the period's counts, each week's, the praise and the enquiries; SQLite also sums the
 * service, the categories by responsibility, the buildings and the revisit scores itself, see its service.ts); otherwise the period's tickets
 * are walked page by page. Either way the reads are the store's own, outside any write transaction (a
 * report never holds the write lock), and the deadlines worked out here in business hours hand the event
 * loop back every few milliseconds.
 */
import { DateTime } from 'luxon';
import {
  type EnquiryCounts,
  type Period,
  type PraiseCounts,
  type StoreTx,
  type TicketCounts,
  type TicketCursor,
  ticketsCreatedIn,
} from '../../core/ports.js';
import { deadlineAt, policyFor } from '../../core/tickets/sla.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import type { Category, Responsibility, TicketKind } from '../../core/types.js';
import type { AppContext } from '../context.js';

/** What a report reads: queries only, so it runs on the store itself, outside any write transaction. */
export type ReportReader = Pick<
  StoreTx,
  'listTickets' | 'listTicketsCreated' | 'countTicketsCreated' | 'countPraise' | 'countEnquiries'
>;

/** A month or a quarter in the configured zone: its instants and how it is written (`2026-11`, `2026-Q4`). */
export interface ReviewPeriod extends Period {
  label: string;
}

/** What the period's tickets show of the service. */
export interface ServiceFigures {
  /** Tickets accepted, and accepted within the acceptance deadline. */
  accepted: number;
  acceptedInTime: number;
  /** Accepted tickets resolved, and resolved within the resolution deadline counted from acceptance. */
  resolved: number;
  resolvedInTime: number;
  /** Tickets escalated at least once, and reopened at least once. */
  escalated: number;
  reopened: number;
  /** Tickets with a first staff response, and the sum of their waits for it (ms). */
  responded: number;
  responseMs: number;
  /** Tickets revisited, the sum of their scores, and those satisfied and solved. */
  revisited: number;
  scoreSum: number;
  satisfied: number;
}

/** Where the period's tickets were: a building's number, or a public area, or no place given. */
export type PlaceKey = { building: string } | { place: 'public' | 'none' };

/** Everything a review of a period shows. */
export interface ReviewFigures {
  period: ReviewPeriod;
  counts: TicketCounts;
  /** Each week (Monday to Sunday in the zone, cut at the period's ends): its first day and counts by kind. */
  weeks: { start: Date; total: number; kind: Partial<Record<TicketKind, number>> }[];
  service: ServiceFigures;
  /** Tickets per category, split by responsibility. */
  byCategory: Partial<Record<Category, Partial<Record<Responsibility, number>>>>;
  /** Tickets per place, most first (then by building number). */
  places: { key: PlaceKey; count: number }[];
  /** Revisits per score: `scores[s - 1]` for the score s of 1–10. */
  scores: number[];
  praise: PraiseCounts;
  enquiries: EnquiryCounts;
}

/** The context the figures need: the zone and the service levels. */
export type FigureContext = Pick<AppContext, 'settings' | 'policy'>;

/** The figures of `period`, read through `reader` (see the module's comment). */
export async function reviewFigures(
  ctx: FigureContext,
  reader: ReportReader,
  period: ReviewPeriod,
): Promise<ReviewFigures> {
  const range = { from: period.from, to: period.to };
  const counts = await reader.countTicketsCreated(range);
  const praise = await reader.countPraise(range);
  const enquiries = await reader.countEnquiries(range);
  const empty = { service: emptyService(), byCategory: {}, places: [], scores: emptyScores() };
  const tally =
    counts.total === 0
      ? empty
      : hasReviewCounts(reader)
        ? await counted(ctx, reader, range)
        : await walked(ctx, reader, range);
  const weeks = [];
  for (const week of weeksOf(period, ctx.settings.timeZone)) {
    // An empty period has empty weeks: no need to ask.
    const n = counts.total === 0 ? undefined : await reader.countTicketsCreated(week);
    weeks.push({ start: week.from, total: n?.total ?? 0, kind: n?.kind ?? {} });
  }
  return { period, counts, weeks, ...tally, praise, enquiries };
}

/** The weeks of a period: Monday to Monday in `zone`, the first and last cut at the period's ends. */
export function weeksOf(period: Period, zone: string): Period[] {
  const weeks: Period[] = [];
  let from = DateTime.fromJSDate(period.from, { zone });
  const end = DateTime.fromJSDate(period.to, { zone });
  while (from < end) {
    const next = from.startOf('week').plus({ weeks: 1 });
    const to = DateTime.min(next, end);
    weeks.push({ from: from.toJSDate(), to: to.toJSDate() });
    from = to;
  }
  return weeks;
}

type Tally = Pick<ReviewFigures, 'service' | 'byCategory' | 'places' | 'scores'>;

/** The figures from the store's own sums, and the deadlines of its accepted tickets page by page. */
async function counted(ctx: FigureContext, reader: ReviewCounts, period: Period): Promise<Tally> {
  const service = { ...emptyService(), ...(await reader.countService(period)) };
  const slice = new TimeSlice();
  let after: TicketCursor | undefined;
  do {
    const page = await reader.listAccepted(period, { limit: 500, ...(after ? { after } : {}) });
    for (const t of page.items) {
      countDeadlines(ctx, service, t, t.acceptedAt);
      await slice.yield();
    }
    after = page.next;
  } while (after);
  const places = new Map<string, number>();
  for (const row of await reader.countPlaces(period)) {
    const key = row.kind === 'unit' && row.building ? row.building : row.kind === 'public' ? PUBLIC : NONE;
    places.set(key, (places.get(key) ?? 0) + row.count);
  }
  const scores = emptyScores();
  for (const row of await reader.countScores(period)) addScore(scores, row.score, row.count);
  const byCategory: Tally['byCategory'] = {};
  for (const row of await reader.countCategories(period)) addCategory(byCategory, row, row.count);
  return { service, byCategory, places: sortedPlaces(places), scores };
}

/** The figures of a store that only lists tickets: each ticket of the period walked. */
async function walked(ctx: FigureContext, reader: ReportReader, period: Period): Promise<Tally> {
  const service = emptyService();
  const places = new Map<string, number>();
  const scores = emptyScores();
  const byCategory: Tally['byCategory'] = {};
  const slice = new TimeSlice();
  for await (const t of ticketsCreatedIn(reader, period)) {
    const acceptedAt = t.timeline.find((e) => e.action === 'accept')?.at;
    if (acceptedAt) countDeadlines(ctx, service, t, acceptedAt);
    if (t.firstResponseAt) {
      service.responded += 1;
      service.responseMs += t.firstResponseAt.getTime() - t.createdAt.getTime();
    }
    if (t.revisit) {
      service.revisited += 1;
      service.scoreSum += t.revisit.score ?? 0;
      if (t.revisit.attitude === 'satisfied' && t.revisit.solved) service.satisfied += 1;
      addScore(scores, t.revisit.score, 1);
    }
    if (t.timeline.some((e) => e.action === 'escalation')) service.escalated += 1;
    if (t.reopenCount > 0) service.reopened += 1;
    const key = t.location?.kind === 'unit' && t.location.building ? t.location.building : t.location ? PUBLIC : NONE;
    places.set(key, (places.get(key) ?? 0) + 1);
    addCategory(byCategory, t, 1);
    await slice.yield();
  }
  return { service, byCategory, places: sortedPlaces(places), scores };
}

/** An accepted ticket: accepted in time, and resolved (in time) counted from its acceptance. */
function countDeadlines(
  ctx: FigureContext,
  figures: ServiceFigures,
  t: Pick<Ticket, 'createdAt' | 'urgency' | 'kind' | 'resolvedAt'>,
  acceptedAt: Date,
): void {
  const zone = ctx.settings.timeZone;
  const { sla, businessHours } = ctx.policy;
  figures.accepted += 1;
  const due = deadlineAt(t.createdAt, policyFor(t), 'accept', 100, sla, businessHours, zone);
  if (!due || acceptedAt <= due) figures.acceptedInTime += 1;
  if (t.resolvedAt) {
    figures.resolved += 1;
    const resolveBy = deadlineAt(acceptedAt, policyFor(t), 'resolve', 100, sla, businessHours, zone);
    if (!resolveBy || t.resolvedAt <= resolveBy) figures.resolvedInTime += 1;
  }
}

/** Map keys of the places that are not a building (a building's number never starts with `@`). */
const PUBLIC = '@public';
const NONE = '@none';

/** Most tickets first; among equals, buildings (by number), then public areas, then no place given. */
function sortedPlaces(places: Map<string, number>): ReviewFigures['places'] {
  const keyOf = (k: string): PlaceKey =>
    k === PUBLIC ? { place: 'public' } : k === NONE ? { place: 'none' } : { building: k };
  const rank = (k: string) => (k === PUBLIC ? 1 : k === NONE ? 2 : 0);
  return [...places.entries()]
    .sort((a, b) => b[1] - a[1] || rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0], 'en', { numeric: true }))
    .map(([k, count]) => ({ key: keyOf(k), count }));
}

function addCategory(
  byCategory: Tally['byCategory'],
  t: { category: Category; responsibility: Responsibility },
  n: number,
): void {
  const row = byCategory[t.category] ?? {};
  row[t.responsibility] = (row[t.responsibility] ?? 0) + n;
  byCategory[t.category] = row;
}

function addScore(scores: number[], score: number | undefined, n: number): void {
  if (score === undefined || !Number.isInteger(score) || score < 1 || score > 10) return;
  scores[score - 1] = (scores[score - 1] ?? 0) + n;
}

function emptyScores(): number[] {
  return Array.from({ length: 10 }, () => 0);
}

function emptyService(): ServiceFigures {
  return {
    accepted: 0,
    acceptedInTime: 0,
    resolved: 0,
    resolvedInTime: 0,
    escalated: 0,
    reopened: 0,
    responded: 0,
    responseMs: 0,
    revisited: 0,
    scoreSum: 0,
    satisfied: 0,
  };
}

/**
 * What a store may count of a period itself (SQLite's, see its service.ts): the service sums, the places
 * and the revisit scores, and the accepted tickets' times page by page, whose deadlines need the service
 * calendar. Other stores' tickets are walked.
 */
interface ReviewCounts {
  countService(
    period: Period,
  ): Promise<
    Pick<ServiceFigures, 'responded' | 'responseMs' | 'revisited' | 'scoreSum' | 'satisfied' | 'escalated' | 'reopened'>
  >;
  listAccepted(
    period: Period,
    page?: { after?: TicketCursor; limit?: number },
  ): Promise<{
    items: (Pick<Ticket, 'createdAt' | 'urgency' | 'kind' | 'resolvedAt'> & { acceptedAt: Date })[];
    next?: TicketCursor;
  }>;
  countPlaces(period: Period): Promise<{ kind: 'unit' | 'public' | null; building: string | null; count: number }[]>;
  countScores(period: Period): Promise<{ score: number; count: number }[]>;
  countCategories(period: Period): Promise<{ category: Category; responsibility: Responsibility; count: number }[]>;
}

function hasReviewCounts<R extends object>(reader: R): reader is R & ReviewCounts {
  const counts = reader as Partial<ReviewCounts>;
  return (
    typeof counts.countService === 'function' &&
    typeof counts.listAccepted === 'function' &&
    typeof counts.countPlaces === 'function' &&
    typeof counts.countScores === 'function' &&
    typeof counts.countCategories === 'function'
  );
}

/**
 * Hands the event loop back every few milliseconds of a long report (each deadline is worked out in the
 * configured zone's business hours): other owners' messages go between its slices.
 */
export class TimeSlice {
  private started = performance.now();

  async yield(): Promise<void> {
    if (performance.now() - this.started < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}

/** The longest a report holds the event loop at a time. */
const SLICE_MS = 8;
