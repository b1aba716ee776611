/**
 * A capability that takes some messages as its own before the staff desk or the owner's conversation
 * sees them (notices, enquiries): a read-receipt button, a word such as 通知, a `/notice` command. Each
 * part is asked in turn, inside the message's transaction; the first that handles a message ends its
 * routing. Its scheduled jobs are registered with the application's.
 */

import type { StoreTx } from '../core/ports.js';
import type { Inbound, Owner, Staff } from '../core/types.js';
import type { JobHandler } from './scheduler.js';

/** A message a part took: for a button, the text to answer the press with (empty for a silent answer). */
export interface Handled {
  ack?: { text: string; alert?: boolean };
}

export interface AppPart {
  /** An owner's message or button press in a private chat; undefined when it is not this part's. */
  ownerMessage?(tx: StoreTx, owner: Owner, inbound: Inbound, now: Date): Promise<Handled | undefined>;
  /**
   * A message or button press from active staff, in a staff room or their private chat; undefined when it
   * is not this part's (the staff desk takes it then). Roles are the part's to check.
   */
  staffMessage?(tx: StoreTx, staff: Staff, inbound: Inbound, now: Date): Promise<Handled | undefined>;
  /** The handlers of the jobs this part schedules. */
  jobHandlers?(): Record<string, JobHandler>;
}
