/**
 * Writing the audit log (core/ports/audit.ts; read with `npm run audit`, cli/audit.ts), which answers who
 * did what, when, to what and from where: every staff action and every reveal of personal data. Every
 * entry is written here, so each names its actor's kind and channel the same way (from the actor's id) and
 * no caller builds its own; each function writes in the caller's transaction so an action and its entry
 * land together, or neither does.
 *
 * - `recordTicketChange`: the one place every ticket change passes (tickets/changes.ts) calls it, and so
 *   does a ticket taken by staff (intake/new-ticket.ts); the ticket's newest timeline event, when a staff
 *   member made it, is the entry (`ticket.create`, `ticket.accept`, `ticket.staff_reply`, `ticket.note`,
 *   `ticket.revisit` …). Its id is the ticket's id and the event's place on the timeline, so a change
 *   applied twice is still one entry.
 * - `recordAudit`: any other action (a reveal, a survey or notice command, a staff-list change, an export,
 *   the start-up), by a staff id, `cli:<user>` or the system.
 *
 * Entries hold codes, ids and counts: never an owner's words, name or phone number.
 */
import type { AuditDetail, AuditEntry, AuditSubjectKind, StoreTx } from '../../core/ports.js';
import type { Ticket } from '../../core/tickets/ticket.js';
import { CHANNELS } from '../../core/types.js';

/** What recording needs of the application: the time and fresh ids. */
export interface AuditClock {
  clock: { now(): Date };
  newId(): string;
}

/** Who acted, as their id says: `cli:<user>` at the terminal, `system`, else a staff id (`<channel>:<user>`). */
export function actorKindOf(actorId: string): AuditEntry['actor']['kind'] {
  if (actorId === 'cli' || actorId.startsWith('cli:')) return 'cli';
  if (actorId === 'system') return 'system';
  return 'staff';
}

/** Where an actor acts from: the channel of a staff id (`telegram:42` → `telegram`), `cli` or `system`. */
export function viaOf(actorId: string): string {
  const kind = actorKindOf(actorId);
  if (kind !== 'staff') return kind;
  const prefix = actorId.slice(0, actorId.indexOf(':'));
  return (CHANNELS as readonly string[]).includes(prefix) ? prefix : 'unknown';
}

export interface AuditEvent {
  /** A staff id, `cli:<user>` or `system`. */
  actorId: string;
  actorName?: string;
  role?: string;
  action: string;
  /** Where it came from; by default what the actor's id says (viaOf). */
  via?: string;
  subject?: { kind: AuditSubjectKind; id: string };
  detail?: AuditDetail;
  /** A stable id makes a repeated recording one entry; a fresh one by default. */
  id?: string;
  at?: Date;
}

/** Appends one entry in `tx`. */
export async function recordAudit(app: AuditClock, tx: Pick<StoreTx, 'appendAudit'>, event: AuditEvent): Promise<void> {
  const actor: AuditEntry['actor'] = { kind: actorKindOf(event.actorId), id: event.actorId };
  if (event.actorName) actor.name = event.actorName;
  if (event.role) actor.role = event.role;
  await tx.appendAudit({
    id: event.id ?? app.newId(),
    at: event.at ?? app.clock.now(),
    actor,
    action: event.action,
    via: event.via ?? viaOf(event.actorId),
    ...(event.subject ? { subject: event.subject } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
  });
}

/** Records the ticket's newest timeline event when a staff member made it (see the module's comment). */
export async function recordTicketChange(
  app: AuditClock,
  tx: Pick<StoreTx, 'appendAudit' | 'getStaff'>,
  ticket: Ticket,
): Promise<void> {
  const index = ticket.timeline.length - 1;
  const event = ticket.timeline[index];
  if (event?.actor.type !== 'staff') return;
  const staff = await tx.getStaff(event.actor.id);
  const detail: AuditDetail = {};
  if (event.from) detail.from = event.from;
  if (event.to) detail.to = event.to;
  const handedTo = event.action === 'hand_over' ? event.data?.to : undefined;
  if (typeof handedTo === 'string') detail.handedTo = handedTo;
  await recordAudit(app, tx, {
    id: `ticket:${ticket.id}:${index}`,
    at: event.at,
    actorId: event.actor.id,
    actorName: event.actor.name,
    ...(staff ? { role: staff.role, via: staff.channel } : {}),
    action: `ticket.${event.action}`,
    subject: { kind: 'ticket', id: ticket.number },
    ...(Object.keys(detail).length ? { detail } : {}),
  });
}
