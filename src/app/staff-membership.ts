/**
 * Membership of a channel's staff room decides who is staff: someone who leaves it (or is removed)
 * stops being staff, and is refused staff commands in private chats; someone added back is staff again.
 * Writing in the staff room registers (or re-activates) the writer as well (StaffDesk.enrol).
 *
 * The channels report membership changes (WeChat room-leave, Telegram service messages and
 * `chat_member` updates); main.ts wires them here.
 */
import type { Store } from '../core/ports.js';
import type { Channel } from '../core/types.js';

/** Marks the staff member inactive. Resolves to whether anything changed (false: unknown or already inactive). */
export function markStaffLeft(store: Store, channel: Channel, userId: string): Promise<boolean> {
  return setActive(store, channel, userId, false);
}

/**
 * Marks a known staff member active again (added back to the staff room). Someone never registered stays
 * unknown until they write in the room, which registers them with the role configuration gives them.
 */
export function markStaffRejoined(store: Store, channel: Channel, userId: string): Promise<boolean> {
  return setActive(store, channel, userId, true);
}

function setActive(store: Store, channel: Channel, userId: string, active: boolean): Promise<boolean> {
  return store.transaction(async (tx) => {
    const staff = await tx.findStaff(channel, userId);
    if (!staff || staff.active === active) return false;
    await tx.saveStaff({ ...staff, active });
    return true;
  });
}
