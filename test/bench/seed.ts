/**
 * A store with history: `tickets` tickets spread over the two years before `now` (kinds, categories,
 * statuses and owners varied; about 2% still open, the newest ones), written in one transaction through
 * the SQLite adapter's own schema and ticket mapping (migrate, then the adapter's saveTicket on the raw
 * connection, statements prepared once). `addDueJobs` later makes deadline checks of open tickets due at
 * once, from a second connection while the bot runs (as a second process may). `seedOwners` writes owners
 * known on Telegram, for a broadcast (broadcast.ts).
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { jobOps } from '../../src/adapters/store/sqlite/jobs.js';
import { migrate } from '../../src/adapters/store/sqlite/migrations.js';
import { ownerOps } from '../../src/adapters/store/sqlite/owners.js';
import { ticketOps } from '../../src/adapters/store/sqlite/tickets.js';
import { formatTicketNumber, type Ticket, type TicketStatus } from '../../src/core/tickets/ticket.js';
import { CATEGORIES, TICKET_KINDS } from '../../src/core/types.js';

const CLOSED: TicketStatus[] = ['closed', 'closed', 'closed', 'resolved', 'rejected', 'cancelled'];
const OPEN: TicketStatus[] = ['recorded', 'accepted', 'in_progress', 'scheduled'];
const TWO_YEARS_MS = 730 * 24 * 3600_000;

/** Seeds `dataDir`/residesk.db (the file residesk opens in DATA_DIR); resolves to the seconds it took. */
export function seedStore(o: { dataDir: string; tickets: number; now: Date }): number {
  const t0 = performance.now();
  const db = new Database(join(o.dataDir, 'residesk.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // A large page cache while seeding keeps the seven ticket indexes' pages in memory.
  db.pragma('cache_size = -262144');
  migrate(db);
  const tickets = ticketOps(db);
  const now = o.now.getTime();
  const openFrom = Math.floor(o.tickets * 0.98);
  const step = TWO_YEARS_MS / o.tickets;
  db.transaction(() => {
    for (let i = 0; i < o.tickets; i++) {
      const at = new Date(now - TWO_YEARS_MS + i * step);
      const isOpen = i >= openFrom;
      const status = isOpen ? (OPEN[i % OPEN.length] as TicketStatus) : (CLOSED[i % CLOSED.length] as TicketStatus);
      const ownerId = `owner-${i % 20_000}`;
      const id = `seed-${i}`;
      const ticket: Ticket = {
        id,
        number: formatTicketNumber('990101', i + 1),
        kind: TICKET_KINDS[i % TICKET_KINDS.length] ?? 'repair',
        category: CATEGORIES[i % CATEGORIES.length] ?? 'other',
        urgency: 'normal',
        location: { kind: 'unit', building: String(1 + (i % 30)), unit: String(1 + (i % 4)), room: '501' },
        description: '卫生间天花板漏水，滴到地上了',
        attachments: [],
        status,
        responsibility: 'property',
        ownerId,
        origin: { channel: 'telegram', chatId: String(900_000_000 + (i % 20_000)) },
        reopenCount: 0,
        createdAt: at,
        updatedAt: at,
        timeline: [{ at, actor: { type: 'owner', id: ownerId }, action: 'create', to: 'recorded' }],
      };
      tickets.saveTicket(ticket);
    }
  })();
  db.close();
  return (performance.now() - t0) / 1000;
}

/** Makes `n` deadline checks of the newest (open) seeded tickets due now, in one transaction. */
export function addDueJobs(o: { dataDir: string; tickets: number; n: number }): void {
  const db = new Database(join(o.dataDir, 'residesk.db'));
  db.pragma('busy_timeout = 5000');
  const jobs = jobOps(db);
  const now = new Date();
  db.transaction(() => {
    for (let k = 0; k < o.n; k++) {
      const ticketId = `seed-${o.tickets - 1 - k}`;
      jobs.scheduleJob(
        {
          id: `seed-job-${k}`,
          type: 'sla.check',
          dueAt: now,
          key: `seed-sla-${ticketId}`,
          payload: { ticketId, phase: 'accept', percent: 100 },
        },
        now,
      );
    }
  })();
  db.close();
}

/** Pending jobs that are due, read from the bot's database file while it runs (WAL: readers do not block). */
export function dueJobsReader(dataDir: string): { count(now: number): number; close(): void } {
  const db = new Database(join(dataDir, 'residesk.db'), { readonly: true });
  const count = db.prepare<[number], number>("SELECT count(*) FROM jobs WHERE status = 'pending' AND due_at <= ?");
  return { count: (now) => count.pluck().get(now) ?? 0, close: () => db.close() };
}

/** The first seeded owner's Telegram chat (and user) id; owner `k` has `OWNER_CHAT_BASE + k`. */
export const OWNER_CHAT_BASE = 700_000_000;
/** The buildings seeded owners live in (10 to 29): not building 3, where load.ts's owner reports a leak. */
export const OWNER_BUILDINGS = Array.from({ length: 20 }, (_, i) => String(10 + i));

/**
 * Seeds `owners` owners who reached the bot on Telegram (a flat each, in buildings {@link OWNER_BUILDINGS})
 * into `dataDir`/residesk.db, through the adapter's own mapping in one transaction; resolves to the seconds
 * it took.
 */
export function seedOwners(o: { dataDir: string; owners: number; now: Date }): number {
  const t0 = performance.now();
  const db = new Database(join(o.dataDir, 'residesk.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -262144');
  migrate(db);
  const owners = ownerOps(db);
  db.transaction(() => {
    for (let k = 0; k < o.owners; k++) {
      const chat = String(OWNER_CHAT_BASE + k);
      owners.saveOwner({
        // Zero-padded: the broadcast reads owners in id order, page by page.
        id: `seed-owner-${String(k).padStart(7, '0')}`,
        identities: [{ channel: 'telegram', userId: chat, chatId: chat }],
        name: '张',
        units: [`${OWNER_BUILDINGS[k % OWNER_BUILDINGS.length]}-${1 + (k % 4)}-${101 + (k % 600)}`],
        locale: 'zh-CN',
        privacyNoticeShown: true,
        unreachable: false,
        createdAt: o.now,
        updatedAt: o.now,
      });
    }
  })();
  db.close();
  return (performance.now() - t0) / 1000;
}
