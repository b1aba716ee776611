/** Counters and settings in SQLite. */
import type Database from 'better-sqlite3';
import { type SettingStore, StoreError } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';

export function settingOps(db: Database.Database): Sync<SettingStore> {
  const s = {
    nextSequence: db
      .prepare<[string], number>(
        `INSERT INTO counters (name, value) VALUES (?, 1)
           ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
      )
      .pluck(),
    getSetting: db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck(),
    setSetting: db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };

  return {
    nextSequence(name) {
      const value = s.nextSequence.get(name);
      if (value === undefined) throw new StoreError('STORE_CORRUPT', 'counter upsert returned no value');
      return value;
    },

    getSetting(key) {
      return s.getSetting.get(key);
    },

    setSetting(key, value) {
      s.setSetting.run(key, value);
    },
  };
}
