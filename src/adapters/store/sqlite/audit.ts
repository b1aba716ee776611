/**
 * The audit log in SQLite: one JSON document per entry, with its instant, actor, action and subject as
 * columns for the indexed reads. The table refuses UPDATE (migration 8); rows leave only by retention.
 */
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditQuery, AuditStore } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { pageLimit } from '../shared/reports.js';
import { iso, ms, StatementCache, withDates } from './rows.js';

/** The WHERE clause and its named values for a query (and the cursor, when paging on). */
function filter(query: AuditQuery, after: { at: Date; id: string } | undefined) {
  const where: string[] = [];
  const values: Record<string, string | number> = {};
  if (query.since) {
    where.push('at >= @since');
    values.since = ms(query.since);
  }
  if (query.until) {
    where.push('at < @until');
    values.until = ms(query.until);
  }
  if (query.actorId !== undefined) {
    where.push('actor_id = @actor');
    values.actor = query.actorId;
  }
  if (query.subjectId !== undefined) {
    where.push('subject_id = @subject');
    values.subject = query.subjectId;
  }
  if (query.action !== undefined) {
    // `ticket` is the family of `ticket.accept`, `ticket.resolve` …; substr, not LIKE (`_` is a wildcard).
    where.push('(action = @action OR substr(action, 1, @prefixLength) = @prefix)');
    values.action = query.action;
    values.prefix = `${query.action}.`;
    values.prefixLength = query.action.length + 1;
  }
  if (after) {
    where.push('(at, id) > (@afterAt, @afterId)');
    values.afterAt = ms(after.at);
    values.afterId = after.id;
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', values };
}

export function auditOps(db: Database.Database): Sync<AuditStore> {
  const cache = new StatementCache(db);
  const s = {
    append: db.prepare<
      [{ id: string; at: number; actor: string; action: string; subject: string | null; doc: string }]
    >(
      `INSERT INTO audit_log (id, at, actor_id, action, subject_id, doc)
       VALUES (@id, @at, @actor, @action, @subject, @doc) ON CONFLICT (id) DO NOTHING`,
    ),
    oldestBefore: db
      .prepare<[number, number], string>('SELECT id FROM audit_log WHERE at < ? ORDER BY at, id LIMIT ?')
      .pluck(),
    delete: db.prepare<[string]>('DELETE FROM audit_log WHERE id = ?'),
  };

  return {
    appendAudit(entry) {
      s.append.run({
        id: entry.id,
        at: ms(entry.at),
        actor: entry.actor.id,
        action: entry.action,
        subject: entry.subject?.id ?? null,
        doc: JSON.stringify({ ...entry, at: iso(entry.at) }),
      });
    },

    listAudit(query, page = {}) {
      const limit = pageLimit(page.limit);
      const { sql, values } = filter(query, page.after);
      const docs = cache
        .pluck<string>(`SELECT doc FROM audit_log ${sql} ORDER BY at, id LIMIT @limit`)
        .all({ ...values, limit: limit + 1 });
      const entries = docs.slice(0, limit).map((doc) => withDates<AuditEntry>(doc, 'audit_log', ['at']));
      const last = entries[entries.length - 1];
      return docs.length > limit && last ? { entries, next: { at: last.at, id: last.id } } : { entries };
    },

    pruneAudit(before, limit) {
      let n = 0;
      for (const id of s.oldestBefore.all(ms(before), limit)) n += s.delete.run(id).changes;
      return n;
    },
  };
}
