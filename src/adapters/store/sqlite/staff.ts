/** Staff in SQLite: a JSON document with its one identity as unique columns. */
import type Database from 'better-sqlite3';
import type { StaffStore } from '../../../core/ports.js';
import type { Channel, Staff } from '../../../core/types.js';
import type { Sync } from '../shared/methods.js';
import { parseJson } from './rows.js';

export function staffOps(db: Database.Database): Sync<StaffStore> {
  const s = {
    getStaff: db.prepare<[string], string>('SELECT doc FROM staff WHERE id = ?').pluck(),
    findStaff: db.prepare<[Channel, string], string>('SELECT doc FROM staff WHERE channel = ? AND user_id = ?').pluck(),
    upsertStaff: db.prepare<[{ id: string; channel: Channel; user_id: string; doc: string }]>(
      `INSERT INTO staff (id, channel, user_id, doc) VALUES (@id, @channel, @user_id, @doc)
         ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, user_id = excluded.user_id, doc = excluded.doc`,
    ),
    listStaff: db.prepare<[], string>('SELECT doc FROM staff ORDER BY id').pluck(),
  };
  const fromDoc = (doc: string) => parseJson<Staff>(doc, 'staff');

  return {
    getStaff(id) {
      const doc = s.getStaff.get(id);
      return doc === undefined ? undefined : fromDoc(doc);
    },

    findStaff(channel, userId) {
      const doc = s.findStaff.get(channel, userId);
      return doc === undefined ? undefined : fromDoc(doc);
    },

    saveStaff(staff) {
      s.upsertStaff.run({ id: staff.id, channel: staff.channel, user_id: staff.userId, doc: JSON.stringify(staff) });
    },

    listStaff() {
      return s.listStaff.all().map(fromDoc);
    },
  };
}
