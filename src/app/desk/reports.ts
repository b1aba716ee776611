/**
 * The desk's reports: the open tickets (mine, unassigned, overdue), the summary of a month or a quarter
 * (step 8 of domain.md, counted by the store). A ticket's timeline is rendered by render.ts (timelineText).
 *
 * A report is read before the message's transaction (`prepare`), through the store itself: each query is
 * its own read (SQLite runs them on a worker's connection), so a report over a long history never holds
 * the write lock nor the event loop, and no owner's message waits behind it; the transaction only writes
 * the reply. What is worked out here (deadlines in business hours) hands the event loop back every few
 * milliseconds.
 */
import { DateTime } from 'luxon';
import { KNOWLEDGE_TOPICS, type KnowledgeTopic } from '../../core/knowledge/entry.js';
import {
  type EnquiryCounts,
  PRAISE_TEAMS,
  type PraiseCounts,
  type PraiseTeam,
  type StoreTx,
} from '../../core/ports.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import { type Inbound, type Locale, labelColon, type Staff, type Translate } from '../../core/types.js';
import { isTicketOverdue } from '../deadlines.js';
import {
  type ReportReader,
  type ReviewFigures,
  type ReviewPeriod,
  reviewFigures,
  TimeSlice,
} from './review-figures.js';
import { DeskPart, type DeskResult } from './support.js';

/** The reports a staff command asks for. */
export type ReportCommand = 'tickets' | 'summary';

export class DeskReports extends DeskPart {
  /**
   * The text of a report, read before the transaction through the store (plain reads, never the write
   * lock). Whether the sender may have it is checked by the caller; the transaction only sends it.
   */
  prepare(command: ReportCommand, staffId: string, arg: string): Promise<string> {
    return command === 'tickets' ? this.openText(this.ctx.store, staffId) : this.summaryText(this.ctx.store, arg);
  }

  /** `/tickets`: the text prepared before the transaction (read now only when there is none). */
  async listOpen(tx: StoreTx, inbound: Inbound, staff: Staff, prepared?: string): Promise<DeskResult> {
    await this.say(tx, inbound, prepared ?? (await this.openText(tx, staff.id)));
    return {};
  }

  /** `/summary [period]`: the text prepared before the transaction (read now only when there is none). */
  async summary(tx: StoreTx, inbound: Inbound, arg: string, prepared?: string): Promise<DeskResult> {
    await this.say(tx, inbound, prepared ?? (await this.summaryText(tx, arg)));
    return {};
  }

  private async openText(reader: ReportReader, staffId: string): Promise<string> {
    const open = await reader.listTickets({
      statuses: ['recorded', 'accepted', 'in_progress', 'awaiting_agreement', 'scheduled', 'reopened'],
      limit: 200,
    });
    const now = this.ctx.clock.now();
    const line = (t: Ticket) =>
      `${t.number} · ${this.t(`ticket.status.${t.status}`)} · ${this.t(`ticket.category.${t.category}`)}${t.assignee ? ` · ${t.assignee.name}` : ''}`;
    const mine = open.filter((t) => t.assignee?.id === staffId);
    const unassigned = open.filter((t) => !t.assignee);
    // Each ticket's deadline is worked out in business hours: in slices, never holding the event loop long.
    const overdue: Ticket[] = [];
    const slice = new TimeSlice();
    for (const t of open) {
      if (isTicketOverdue(this.ctx, t, now)) overdue.push(t);
      await slice.yield();
    }
    const section = (key: string, list: Ticket[]) =>
      [`${this.t(key)} (${list.length})`, ...list.slice(0, 20).map(line)].join('\n');
    return [
      section('desk.list.mine', mine),
      section('desk.list.unassigned', unassigned),
      section('desk.list.overdue', overdue),
    ].join('\n\n');
  }

  /**
   * Step 8 of domain.md (总结评价): the tickets recorded in a month or a quarter, grouped by kind, category,
   * responsibility and status, with response times, deadlines kept, reopenings and revisit scores; and the
   * praise owners gave in it, in total and per team, and the enquiries asked in it (see summaryText).
   */
  private async summaryText(reader: ReportReader, arg: string): Promise<string> {
    const period = summaryPeriod(arg.trim(), this.ctx.clock.now(), this.ctx.settings.timeZone);
    if (!period) return this.t('desk.summary.usage');
    return summaryText(
      (key, params) => this.t(key, params),
      await reviewFigures(this.ctx, reader, period),
      this.ctx.staffLocale,
    );
  }
}

/**
 * The summary in words: the period's tickets by kind, category, responsibility and status, the service
 * (response time, deadlines kept, escalations, reopenings), the revisits, the praise (in total and per
 * team) and the enquiries (how they were answered and what about) — the last two even in a period without
 * tickets.
 */
export function summaryText(t: Translate, figures: ReviewFigures, locale: Locale): string {
  const { counts, service } = figures;
  const title = t('desk.summary.title', { period: figures.period.label, count: counts.total });
  const praise = praiseLine(t, figures.praise);
  const enquiries = enquiryLines(t, figures.enquiries);
  if (counts.total === 0) return [title, ...(praise ? [praise] : []), ...enquiries].join('\n');
  const counted = <K extends string>(byValue: Partial<Record<K, number>>, labelOf: (k: K) => string) =>
    (Object.entries(byValue) as [K, number][])
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, n]) => `${labelOf(k)} ${n}`)
      .join(' · ');
  const { responded, responseMs, revisited, scoreSum, satisfied, ...figuresOf } = service;
  const minutes = responded ? Math.round(responseMs / responded / 60_000) : 0;
  const score = revisited ? (scoreSum / revisited).toFixed(1) : '—';
  const colon = labelColon(locale);
  return [
    title,
    `${t('card.kind')}${colon}${counted(counts.kind, (k) => t(`ticket.kind.${k}`))}`,
    `${t('card.category')}${colon}${counted(counts.category, (k) => t(`ticket.category.${k}`))}`,
    `${t('card.responsibility')}${colon}${counted(counts.responsibility, (k) => t(`ticket.responsibility.${k}`))}`,
    `${t('card.status')}${colon}${counted(counts.status, (k) => t(`ticket.status.${k}`))}`,
    // Where complaints came from: the chat, and what staff took by phone, at the counter … (代客登记).
    `${t('ticket_source.label')}${colon}${counted(counts.source, (k) => t(`ticket_source.${k}`))}`,
    t('desk.summary.service', {
      minutes,
      accepted: figuresOf.acceptedInTime,
      acceptedOf: figuresOf.accepted,
      resolved: figuresOf.resolvedInTime,
      resolvedOf: figuresOf.resolved,
      escalated: figuresOf.escalated,
      reopened: figuresOf.reopened,
    }),
    t('desk.summary.revisit', { count: revisited, score, satisfied }),
    praise ?? t('desk.summary.praise', { count: 0 }),
    ...enquiries,
  ].join('\n');
}

/**
 * The enquiries asked in the period (counted by the store): answered from the knowledge, by staff, not
 * yet, and the topics asked about most (top five); nothing in a period without any.
 */
function enquiryLines(t: Translate, counts: EnquiryCounts): string[] {
  if (counts.total === 0) return [];
  const topics = (Object.entries(counts.byTopic) as [KnowledgeTopic, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || KNOWLEDGE_TOPICS.indexOf(a[0]) - KNOWLEDGE_TOPICS.indexOf(b[0]))
    .slice(0, 5)
    .map(([topic, n]) => `${t(`enquiry_kb.topic.${topic}`)} ${n}`)
    .join(' · ');
  return [
    t('enquiry_kb.summary', {
      total: counts.total,
      answered: counts.answered,
      staff: counts.staff,
      unanswered: counts.unanswered,
    }),
    ...(topics ? [t('enquiry_kb.summary_topics', { topics })] : []),
  ];
}

/** The praise owners gave in the period (表扬, counted by the store): the total and per team; none when there was none. */
function praiseLine(t: Translate, praise: PraiseCounts): string | undefined {
  if (praise.total === 0) return undefined;
  const teams = (Object.entries(praise.byTeam) as [PraiseTeam, number][])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || PRAISE_TEAMS.indexOf(a[0]) - PRAISE_TEAMS.indexOf(b[0]))
    .map(([team, n]) => `${t(`desk.summary.praise_team.${team}`)} ${n}`)
    .join(' · ');
  return t('desk.summary.praise_by_team', { count: praise.total, teams });
}

/** The period a summary covers: `2026-11` (a month), `2026-Q4` (a quarter), or the month so far. */
export function summaryPeriod(arg: string, now: Date, zone: string): ReviewPeriod | undefined {
  const local = DateTime.fromJSDate(now, { zone });
  let start: DateTime;
  let months: number;
  let label: string;
  const month = arg.match(/^(\d{4})-(\d{1,2})$/);
  const quarter = arg.match(/^(\d{4})-?[Qq]([1-4])$/);
  if (!arg) {
    start = local.startOf('month');
    months = 1;
    label = start.toFormat('yyyy-MM');
  } else if (month) {
    start = DateTime.fromObject({ year: Number(month[1]), month: Number(month[2]), day: 1 }, { zone });
    months = 1;
    label = start.isValid ? start.toFormat('yyyy-MM') : '';
  } else if (quarter) {
    start = DateTime.fromObject(
      { year: Number(quarter[1]), month: (Number(quarter[2]) - 1) * 3 + 1, day: 1 },
      { zone },
    );
    months = 3;
    label = `${quarter[1]}-Q${quarter[2]}`;
  } else {
    return undefined;
  }
  if (!start.isValid) return undefined;
  return { from: start.toJSDate(), to: start.plus({ months }).toJSDate(), label };
}
