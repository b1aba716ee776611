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
  type Period,
  PRAISE_TEAMS,
  type PraiseTeam,
  type StoreTx,
  type TicketCursor,
  ticketsCreatedIn,
} from '../../core/ports.js';
import { deadlineAt, policyFor } from '../../core/tickets/sla.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import type { Inbound, Staff } from '../../core/types.js';
import { isTicketOverdue } from '../deadlines.js';
import { DeskPart, type DeskResult } from './support.js';

/** What a report reads: queries only, so it runs on the store itself, outside any write transaction. */
export type ReportReader = Pick<
  StoreTx,
  'listTickets' | 'listTicketsCreated' | 'countTicketsCreated' | 'countPraise' | 'countEnquiries'
>;

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
   * praise owners gave in it, in total and per team, and the enquiries asked in it: how they were answered
   * and what about (both shown even in a period without tickets).
   */
  private async summaryText(reader: ReportReader, arg: string): Promise<string> {
    const zone = this.ctx.settings.timeZone;
    const period = summaryPeriod(arg.trim(), this.ctx.clock.now(), zone);
    if (!period) return this.t('desk.summary.usage');
    const { from, to, label } = period;
    // Counted by the store, the service figures too where it sums them (else walked page by page): any period.
    const counts = await reader.countTicketsCreated({ from, to });
    const title = this.t('desk.summary.title', { period: label, count: counts.total });
    const praise = await this.praiseLine(reader, { from, to });
    const enquiries = await this.enquiryLines(reader, { from, to });
    if (counts.total === 0) return [title, ...(praise ? [praise] : []), ...enquiries].join('\n');
    const counted = <K extends string>(byValue: Partial<Record<K, number>>, labelOf: (k: K) => string) =>
      (Object.entries(byValue) as [K, number][])
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([k, n]) => `${labelOf(k)} ${n}`)
        .join(' · ');
    const service = hasServiceCounts(reader)
      ? await this.serviceCounted(reader, { from, to })
      : await this.serviceWalked(reader, { from, to });
    const { responded, responseMs, revisited, scoreSum, satisfied, ...figures } = service;
    const minutes = responded ? Math.round(responseMs / responded / 60_000) : 0;
    const score = revisited ? (scoreSum / revisited).toFixed(1) : '—';
    const lines = [
      title,
      `${this.t('card.kind')}：${counted(counts.kind, (k) => this.t(`ticket.kind.${k}`))}`,
      `${this.t('card.category')}：${counted(counts.category, (k) => this.t(`ticket.category.${k}`))}`,
      `${this.t('card.responsibility')}：${counted(counts.responsibility, (k) => this.t(`ticket.responsibility.${k}`))}`,
      `${this.t('card.status')}：${counted(counts.status, (k) => this.t(`ticket.status.${k}`))}`,
      // Where complaints came from: the chat, and what staff took by phone, at the counter … (代客登记).
      `${this.t('ticket_source.label')}：${counted(counts.source, (k) => this.t(`ticket_source.${k}`))}`,
      this.t('desk.summary.service', {
        minutes,
        accepted: figures.acceptedInTime,
        acceptedOf: figures.accepted,
        resolved: figures.resolvedInTime,
        resolvedOf: figures.resolved,
        escalated: figures.escalated,
        reopened: figures.reopened,
      }),
      this.t('desk.summary.revisit', { count: revisited, score, satisfied }),
      praise ?? this.t('desk.summary.praise', { count: 0 }),
      ...enquiries,
    ];
    return lines.join('\n');
  }

  /** The service figures from the store's own sums, and the deadlines of its accepted tickets. */
  private async serviceCounted(reader: ServiceCounts, period: Period): Promise<ServiceFigures> {
    const tally = await reader.countService(period);
    const figures = { ...tally, accepted: 0, acceptedInTime: 0, resolved: 0, resolvedInTime: 0 };
    const slice = new TimeSlice();
    let after: TicketCursor | undefined;
    do {
      const page = await reader.listAccepted(period, { limit: 500, ...(after ? { after } : {}) });
      for (const t of page.items) {
        this.countDeadlines(figures, t, t.acceptedAt);
        await slice.yield();
      }
      after = page.next;
    } while (after);
    return figures;
  }

  /** The service figures of a store that only lists tickets: each ticket of the period walked. */
  private async serviceWalked(reader: ReportReader, period: Period): Promise<ServiceFigures> {
    const figures: ServiceFigures = {
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
    const slice = new TimeSlice();
    for await (const t of ticketsCreatedIn(reader, period)) {
      const acceptedAt = t.timeline.find((e) => e.action === 'accept')?.at;
      if (acceptedAt) this.countDeadlines(figures, t, acceptedAt);
      if (t.firstResponseAt) {
        figures.responded += 1;
        figures.responseMs += t.firstResponseAt.getTime() - t.createdAt.getTime();
      }
      if (t.revisit) {
        figures.revisited += 1;
        figures.scoreSum += t.revisit.score ?? 0;
        if (t.revisit.attitude === 'satisfied' && t.revisit.solved) figures.satisfied += 1;
      }
      if (t.timeline.some((e) => e.action === 'escalation')) figures.escalated += 1;
      if (t.reopenCount > 0) figures.reopened += 1;
      await slice.yield();
    }
    return figures;
  }

  /** An accepted ticket: accepted in time, and resolved (in time) counted from its acceptance. */
  private countDeadlines(
    figures: ServiceFigures,
    t: Pick<Ticket, 'createdAt' | 'urgency' | 'kind' | 'resolvedAt'>,
    acceptedAt: Date,
  ): void {
    const zone = this.ctx.settings.timeZone;
    const { sla, businessHours } = this.ctx.policy;
    figures.accepted += 1;
    const due = deadlineAt(t.createdAt, policyFor(t), 'accept', 100, sla, businessHours, zone);
    if (!due || acceptedAt <= due) figures.acceptedInTime += 1;
    if (t.resolvedAt) {
      figures.resolved += 1;
      const resolveBy = deadlineAt(acceptedAt, policyFor(t), 'resolve', 100, sla, businessHours, zone);
      if (!resolveBy || t.resolvedAt <= resolveBy) figures.resolvedInTime += 1;
    }
  }

  /**
   * The enquiries asked in the period (counted by the store): answered from the knowledge, by staff, not
   * yet, and the topics asked about most (top five); nothing in a period without any.
   */
  private async enquiryLines(reader: ReportReader, period: { from: Date; to: Date }): Promise<string[]> {
    const counts = await reader.countEnquiries(period);
    if (counts.total === 0) return [];
    const topics = (Object.entries(counts.byTopic) as [KnowledgeTopic, number][])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || KNOWLEDGE_TOPICS.indexOf(a[0]) - KNOWLEDGE_TOPICS.indexOf(b[0]))
      .slice(0, 5)
      .map(([topic, n]) => `${this.t(`enquiry_kb.topic.${topic}`)} ${n}`)
      .join(' · ');
    return [
      this.t('enquiry_kb.summary', {
        total: counts.total,
        answered: counts.answered,
        staff: counts.staff,
        unanswered: counts.unanswered,
      }),
      ...(topics ? [this.t('enquiry_kb.summary_topics', { topics })] : []),
    ];
  }

  /** The praise owners gave in the period (表扬, counted by the store): the total and per team; none when there was none. */
  private async praiseLine(reader: ReportReader, period: { from: Date; to: Date }): Promise<string | undefined> {
    const praise = await reader.countPraise(period);
    if (praise.total === 0) return undefined;
    const teams = (Object.entries(praise.byTeam) as [PraiseTeam, number][])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1] || PRAISE_TEAMS.indexOf(a[0]) - PRAISE_TEAMS.indexOf(b[0]))
      .map(([team, n]) => `${this.t(`desk.summary.praise_team.${team}`)} ${n}`)
      .join(' · ');
    return this.t('desk.summary.praise_by_team', { count: praise.total, teams });
  }
}

/** The period a summary covers: `2026-11` (a month), `2026-Q4` (a quarter), or the month so far. */
export function summaryPeriod(
  arg: string,
  now: Date,
  zone: string,
): { from: Date; to: Date; label: string } | undefined {
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

/** What `/summary` shows of the service in a period. */
interface ServiceFigures {
  accepted: number;
  acceptedInTime: number;
  resolved: number;
  resolvedInTime: number;
  escalated: number;
  reopened: number;
  responded: number;
  responseMs: number;
  revisited: number;
  scoreSum: number;
  satisfied: number;
}

/**
 * What a store may count of a period's service itself (SQLite's, see its service.ts): the sums, and the
 * accepted tickets' times page by page, whose deadlines need the service calendar. Others are walked.
 */
interface ServiceCounts {
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
}

function hasServiceCounts<R extends object>(reader: R): reader is R & ServiceCounts {
  const counts = reader as Partial<ServiceCounts>;
  return typeof counts.countService === 'function' && typeof counts.listAccepted === 'function';
}

/**
 * Hands the event loop back every few milliseconds of a long report (each deadline is worked out in the
 * configured zone's business hours): other owners' messages go between its slices.
 */
class TimeSlice {
  private started = performance.now();

  async yield(): Promise<void> {
    if (performance.now() - this.started < SLICE_MS) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.started = performance.now();
  }
}

/** The longest a report holds the event loop at a time. */
const SLICE_MS = 8;
