/**
 * Retention: the message log, delivered outbox items, the files they carried and the audit log are deleted once they are older than the
 * configured ages, so the database grows with tickets, not with chatter. Tickets (with their timelines),
 * owners, message refs (old cards stay editable) and anything not yet delivered are never touched.
 * Deletes go in small batches, each its own short write, so an owner's message never waits long behind one.
 * The 1-day minimum keeps what the app reads from the log: an owner's last minutes (quiet hours) and a
 * chat's latest message (a notice's button number typed in reply).
 */
import type { Clock, Store } from '../core/ports.js';
import type { Logger } from '../logger.js';

/** How long each kind of record is kept (RETAIN_MESSAGE_LOG, RETAIN_DELIVERED_OUTBOX, RETAIN_AUDIT_LOG). */
export interface RetentionPolicy {
  messageLogMs: number;
  deliveredOutboxMs: number;
  /** The audit log: nothing younger is ever deleted (default three years). */
  auditLogMs: number;
}

/** How many rows one write deletes. */
const BATCH = 1000;

/** Deletes what the policy no longer keeps; returns how many of each were deleted. */
export async function pruneOldRecords(
  store: Pick<Store, 'pruneMessages' | 'pruneDeliveredOutbox' | 'pruneFiles' | 'pruneAudit'>,
  clock: Clock,
  policy: RetentionPolicy,
  log: Logger,
  batch = BATCH,
): Promise<{ messages: number; outbox: number; files: number; audit: number }> {
  const now = clock.now().getTime();
  const drain = async (prune: (before: Date, limit: number) => Promise<number>, before: Date) => {
    let total = 0;
    for (;;) {
      const n = await prune(before, batch);
      total += n;
      if (n < batch) return total;
      // Let owners' messages in between two batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  const messages = await drain((b, n) => store.pruneMessages(b, n), new Date(now - policy.messageLogMs));
  const outbox = await drain((b, n) => store.pruneDeliveredOutbox(b, n), new Date(now - policy.deliveredOutboxMs));
  // Generated files a sent message left behind (a crash between sending and deleting them) or a dead
  // letter's: kept as long as delivered items are, never while an unsent item names them.
  const files = await drain((b, n) => store.pruneFiles(b, n), new Date(now - policy.deliveredOutboxMs));
  const audit = await drain((b, n) => store.pruneAudit(b, n), new Date(now - policy.auditLogMs));
  if (messages > 0 || outbox > 0 || files > 0 || audit > 0)
    log.info(
      { messages, outbox, files, audit },
      'retention: old message log, outbox rows, files and audit entries deleted',
    );
  return { messages, outbox, files, audit };
}
