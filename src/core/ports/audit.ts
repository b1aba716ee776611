/**
 * The audit log (操作记录): who did what, when, to which ticket, campaign or notice, and from where. Every
 * staff and supervisor action, every reveal of an owner's personal data (the full phone number, an
 * unmasked export) and every event that changes how the service runs (start-up and its channels, the
 * staff list) is one entry. Append-only: nothing in the port edits an entry, and only retention deletes
 * (entries older than the configured age, RETAIN_AUDIT_LOG).
 */

/** Who acted: a staff member (their staff id), someone at the server's terminal (`cli:<user>`), or the system. */
export const AUDIT_ACTOR_KINDS = ['staff', 'cli', 'system'] as const;
export type AuditActorKind = (typeof AUDIT_ACTOR_KINDS)[number];

/** What an entry is about; its id is the ticket's number, the campaign's or notice's id, a staff id. */
export const AUDIT_SUBJECT_KINDS = ['ticket', 'campaign', 'notice', 'staff', 'period'] as const;
export type AuditSubjectKind = (typeof AUDIT_SUBJECT_KINDS)[number];

/** Extra facts of an entry: short codes and numbers, never an owner's words or contact details. */
export type AuditDetail = Record<string, string | number | boolean>;

export interface AuditEntry {
  /** Unique; a second append with the same id changes nothing (an action recorded twice is one entry). */
  id: string;
  at: Date;
  actor: { kind: AuditActorKind; id: string; name?: string; role?: string };
  /** A dotted code: `ticket.accept`, `reveal.phone`, `export.unmasked`, `survey.start`, `staff.left`, `app.start` … */
  action: string;
  /** Where it came from: a channel (`telegram`, `wechat` …), `cli`, or `system`. */
  via: string;
  subject?: { kind: AuditSubjectKind; id: string };
  detail?: AuditDetail;
}

/** Which entries to read; every filter given must hold. */
export interface AuditQuery {
  /** From this instant (included). */
  since?: Date;
  /** Up to this instant (excluded). */
  until?: Date;
  actorId?: string;
  /** A ticket number, campaign id, notice id or staff id. */
  subjectId?: string;
  /** An action (`ticket.accept`) or a family of them (`ticket` matches every `ticket.…`). */
  action?: string;
}

/** Where a page of entries ended: the next page starts after this entry. */
export interface AuditCursor {
  at: Date;
  id: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  next?: AuditCursor;
}

export interface AuditStore {
  /** Appends an entry (written in the caller's transaction, so an action and its entry land together). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /**
   * The entries that match, oldest first (at, then id), `limit` (default 200) at a time: pass a page's
   * `next` as `after` for the following one. Indexed by time, by actor and by subject in every store.
   */
  listAudit(query: AuditQuery, page?: { after?: AuditCursor; limit?: number }): Promise<AuditPage>;
  /** Deletes at most `limit` entries older than `before` (retention only); returns how many. */
  pruneAudit(before: Date, limit: number): Promise<number>;
}

/** Every entry that matches `query`, page by page. */
export async function* auditEntries(
  store: Pick<AuditStore, 'listAudit'>,
  query: AuditQuery,
  pageSize = 200,
): AsyncGenerator<AuditEntry> {
  let after: AuditCursor | undefined;
  do {
    const page = await store.listAudit(query, { limit: pageSize, ...(after ? { after } : {}) });
    yield* page.entries;
    after = page.next;
  } while (after);
}
