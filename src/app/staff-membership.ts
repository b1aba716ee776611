/**
 * Membership of a channel's staff room decides who is staff: someone who leaves it (or is removed)
 * stops being staff, and is refused staff commands in private chats; someone added back is staff again.
 * Writing in the staff room registers (or re-activates) the writer as well (StaffDesk.enrol).
 *
 * The channels report membership changes (WeChat room-leave, Telegram service messages and
 * `chat_member` updates); main.ts wires them here.
 */
import { type Clock, type Store, systemClock } from '../core/ports.js';
import type { Channel } from '../core/types.js';
import { recordAudit } from './audit/trail.js';
import { newId } from './ids.js';

/** Marks the staff member inactive. Resolves to whether anything changed (false: unknown or already inactive). */
export function markStaffLeft(store: Store, channel: Channel, userId: string, clock = systemClock): Promise<boolean> {
  return setActive(store, channel, userId, false, clock);
}

/**
 * Marks a known staff member active again (added back to the staff room). Someone never registered stays
 * unknown until they write in the room, which registers them with the role configuration gives them.
 */
export function markStaffRejoined(
  store: Store,
  channel: Channel,
  userId: string,
  clock = systemClock,
): Promise<boolean> {
  return setActive(store, channel, userId, true, clock);
}

/** Changes a member's standing, and puts the change of the staff list on the audit log in the same transaction. */
function setActive(store: Store, channel: Channel, userId: string, active: boolean, clock: Clock): Promise<boolean> {
  return store.transaction(async (tx) => {
    const staff = await tx.findStaff(channel, userId);
    if (!staff || staff.active === active) return false;
    await tx.saveStaff({ ...staff, active });
    await recordAudit({ clock, newId }, tx, {
      actorId: 'system',
      via: channel,
      action: active ? 'staff.rejoined' : 'staff.left',
      subject: { kind: 'staff', id: staff.id },
    });
    return true;
  });
}
