/**
 * A month of tickets for the review report: `tickets` tickets created through a month in Asia/Shanghai
 * (more on weekdays' mornings), with kinds, categories, responsibilities and buildings in plausible
 * proportions, most accepted (some late), most resolved, some escalated or reopened, and a revisit with a
 * score for most of the resolved ones. Deterministic (a seeded generator), so `docs/review-chart.png` is
 * drawn again the same by `npx tsx docs/review-chart.ts`, and the bench's charts section (charts.ts)
 * measures the same month every run. Written through the SQLite adapter's own saveTicket.
 */
import Database from 'better-sqlite3';
import { migrate } from '../../src/adapters/store/sqlite/migrations.js';
import { ticketOps } from '../../src/adapters/store/sqlite/tickets.js';
import { formatTicketNumber, type Ticket, type TimelineEvent } from '../../src/core/tickets/ticket.js';
import type { Category, Responsibility, TicketKind } from '../../src/core/types.js';

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(r: () => number, weighted: readonly (readonly [T, number])[]): T {
  const total = weighted.reduce((n, [, w]) => n + w, 0);
  let x = r() * total;
  for (const [value, w] of weighted) {
    x -= w;
    if (x < 0) return value;
  }
  return (weighted[weighted.length - 1] as readonly [T, number])[0];
}

const KINDS = [
  ['repair', 62],
  ['complaint', 30],
  ['suggestion', 8],
] as const satisfies readonly (readonly [TicketKind, number])[];
const CATEGORY_WEIGHTS = [
  ['water_power', 22],
  ['leaks_fabric', 14],
  ['public_facilities', 12],
  ['lift', 9],
  ['noise_renovation', 9],
  ['cleaning', 8],
  ['parking', 7],
  ['access_control', 5],
  ['security', 4],
  ['greening', 3],
  ['fees', 3],
  ['neighbours_pets', 3],
  ['other', 1],
] as const satisfies readonly (readonly [Category, number])[];
const RESPONSIBILITY_WEIGHTS = [
  ['property', 58],
  ['owner', 14],
  ['developer', 11],
  ['utility', 9],
  ['authority', 3],
  ['unknown', 5],
] as const satisfies readonly (readonly [Responsibility, number])[];
const BUILDINGS = Array.from({ length: 14 }, (_, i) => [String(i + 1), 14 - Math.abs(7 - i)] as const);

/** Seeds a SQLite database file with `tickets` tickets in the month starting at `monthStart` (UTC instant). */
export function seedReviewMonth(o: { path: string; tickets: number; monthStart: Date; days: number; seed?: number }) {
  const r = random(o.seed ?? 19);
  const db = new Database(o.path);
  db.pragma('journal_mode = WAL');
  migrate(db);
  const ops = ticketOps(db);
  const staff = { type: 'staff' as const, id: 'staff-1', name: '李师傅' };
  db.transaction(() => {
    for (let i = 0; i < o.tickets; i++) {
      // Spread over the month, more on weekdays between 08:00 and 20:00 local (UTC+8).
      let day = Math.floor(r() * o.days);
      if (((o.monthStart.getUTCDay() + day) % 7) % 6 === 0 && r() < 0.4) day = (day + 2) % o.days;
      const minute = 0 + Math.floor(r() * 12 * 60);
      const createdAt = new Date(o.monthStart.getTime() + day * 86_400_000 + minute * 60_000);
      const kind = pick(r, KINDS);
      const category = pick(r, CATEGORY_WEIGHTS);
      const responsibility = pick(r, RESPONSIBILITY_WEIGHTS);
      const building = r() < 0.12 ? undefined : pick(r, BUILDINGS);
      const timeline: TimelineEvent[] = [
        { at: createdAt, actor: { type: 'owner', id: `owner-${i}` }, action: 'create', to: 'recorded' },
      ];
      const ticket: Ticket = {
        id: `review-${i}`,
        number: formatTicketNumber('261100', i + 1),
        kind,
        category,
        urgency: 'normal',
        ...(building
          ? { location: { kind: 'unit' as const, building, room: String(101 + (i % 30)) } }
          : r() < 0.5
            ? { location: { kind: 'public' as const, description: '小区北门' } }
            : {}),
        description: '厨房没有热水',
        attachments: [],
        status: 'recorded',
        responsibility,
        ownerId: `owner-${i}`,
        origin: { channel: 'telegram', chatId: `chat-${i}` },
        reopenCount: 0,
        createdAt,
        updatedAt: createdAt,
        timeline,
      };
      if (r() < 0.93) {
        const acceptedAt = new Date(createdAt.getTime() + (r() < 0.85 ? 5 + r() * 50 : 130 + r() * 200) * 60_000);
        timeline.push({ at: acceptedAt, actor: staff, action: 'accept', from: 'recorded', to: 'accepted' });
        ticket.firstResponseAt = acceptedAt;
        ticket.status = 'accepted';
        ticket.assignee = { id: staff.id, name: staff.name };
        if (r() < 0.06) timeline.push({ at: acceptedAt, actor: { type: 'system' }, action: 'escalation' });
        if (r() < 0.85) {
          const hours = r() < 0.8 ? 1 + r() * 20 : 80 + r() * 100;
          ticket.resolvedAt = new Date(acceptedAt.getTime() + hours * 3_600_000);
          ticket.status = 'resolved';
          if (r() < 0.8) {
            const score = Math.max(1, Math.min(10, Math.round(8.6 + (r() - 0.7) * 8)));
            ticket.revisit = {
              at: new Date(ticket.resolvedAt.getTime() + 86_400_000),
              by: 'chat',
              solved: score >= 6,
              attitude: score >= 8 ? 'satisfied' : score >= 6 ? 'so_so' : 'unsatisfied',
              charged: false,
              score,
              outcome: score >= 5 ? 'closed' : 'reopened',
            };
            ticket.status = score >= 5 ? 'closed' : 'reopened';
            if (score < 5) ticket.reopenCount = 1;
          }
        }
      }
      ops.saveTicket(ticket);
    }
  })();
  db.close();
}
