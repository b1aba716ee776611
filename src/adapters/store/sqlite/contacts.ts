/**
 * Contact records in SQLite: a JSON document per record, with its time, kind of customer, owner, phone
 * and name as columns, so that a month's records and one owner's are read from indexes.
 */
import type Database from 'better-sqlite3';
import type { ContactRecord, ContactStore } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { ms, StatementCache, withDates, withIsoDates } from './rows.js';

const DATES = ['at', 'recordedAt'] as const;

export function contactOps(db: Database.Database): Sync<ContactStore> {
  const cache = new StatementCache(db);
  const add = db.prepare<
    [{ id: string; at: number; party: string; owner_id: string | null; phone: string | null; who: string; doc: string }]
  >(
    `INSERT INTO contacts (id, at, party, owner_id, phone, who, doc)
       VALUES (@id, @at, @party, @owner_id, @phone, @who, @doc) ON CONFLICT (id) DO NOTHING`,
  );

  return {
    addContact(record) {
      add.run({
        id: record.id,
        at: ms(record.at),
        party: record.party,
        owner_id: record.ownerId ?? null,
        phone: record.phone ?? null,
        who: record.who,
        doc: JSON.stringify(withIsoDates(record, DATES)),
      });
    },

    listContacts(query) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (query.period) {
        where.push('at >= ? AND at < ?');
        params.push(ms(query.period.from), ms(query.period.to));
      }
      if (query.ownerId !== undefined) {
        where.push('owner_id = ?');
        params.push(query.ownerId);
      }
      if (query.phone !== undefined) {
        where.push('phone = ?');
        params.push(query.phone);
      }
      if (query.who !== undefined) {
        where.push('who = ?');
        params.push(query.who);
      }
      params.push(Math.max(0, Math.floor(query.limit ?? 50)));
      const sql = `SELECT doc FROM contacts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY at DESC, id DESC LIMIT ?`;
      return cache
        .pluck<string>(sql)
        .all(...params)
        .map((doc) => withDates<ContactRecord>(doc, 'contact', DATES));
    },
  };
}
