/**
 * Fixture factories for tests. Every call takes the next number of one shared counter, so ids, ticket
 * numbers and platform identities never collide within a test file, and creation times increase with it.
 */
import { formatTicketNumber, type Ticket } from '../src/core/tickets/ticket.js';
import type { Owner, Staff } from '../src/core/types.js';

/** The instant fixture times count from: 2026-11-28 10:00 in Shanghai. */
export const FIXTURE_EPOCH = new Date('2026-11-28T02:00:00.000Z');

let counter = 0;

function next(): { n: number; at: Date } {
  counter += 1;
  return { n: counter, at: new Date(FIXTURE_EPOCH.getTime() + counter * 60_000) };
}

/** An owner reachable on Telegram, with one flat; created `n` minutes after the epoch. */
export function makeOwner(overrides: Partial<Owner> = {}): Owner {
  const { n, at } = next();
  return {
    id: `owner-${n}`,
    identities: [{ channel: 'telegram', userId: `tg-user-${n}`, chatId: `tg-chat-${n}` }],
    name: `Owner ${n}`,
    phone: `+86138${String(n).padStart(8, '0')}`,
    units: [`3-2-${500 + n}`],
    locale: 'zh-CN',
    privacyNoticeShown: true,
    unreachable: false,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** An active staff member on Telegram. */
export function makeStaff(overrides: Partial<Staff> = {}): Staff {
  const { n } = next();
  return {
    id: `staff-${n}`,
    channel: 'telegram',
    userId: `tg-staff-${n}`,
    displayName: `Staff ${n}`,
    role: 'staff',
    active: true,
    ...overrides,
  };
}

/**
 * A repair ticket just recorded (status `recorded`, one `create` event by its owner), numbered
 * `T261128-nnnn` and created `n` minutes after the epoch. The owner's id defaults to `owner-n`; the
 * `create` event follows `overrides.ownerId` and `overrides.createdAt` unless `timeline` is given.
 */
export function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  const { n, at: defaultAt } = next();
  const at = overrides.createdAt ?? defaultAt;
  const ownerId = overrides.ownerId ?? `owner-${n}`;
  return {
    id: `ticket-${n}`,
    number: formatTicketNumber('261128', n),
    kind: 'repair',
    category: 'water_power',
    urgency: 'normal',
    location: { kind: 'unit', building: '3', unit: '2', room: String(500 + n) },
    description: 'No hot water in the kitchen since this morning.',
    attachments: [],
    status: 'recorded',
    responsibility: 'unknown',
    ownerId,
    origin: { channel: 'telegram', chatId: `tg-chat-${n}` },
    reopenCount: 0,
    createdAt: at,
    updatedAt: at,
    timeline: [{ at, actor: { type: 'owner', id: ownerId }, action: 'create', to: 'recorded' }],
    ...overrides,
  };
}
