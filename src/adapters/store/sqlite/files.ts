/**
 * The file store in SQLite (migration 9): one row per file, its bytes a BLOB. Retention keeps the files
 * a pending or sending outbox item names (read from the item's action, `$.message.attachments`).
 */
import type Database from 'better-sqlite3';
import type { FileStore, StoredFile } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { ms } from './rows.js';

interface FileRow {
  id: string;
  name: string;
  mime: string;
  bytes: Buffer;
  created_at: number;
}

export function fileOps(db: Database.Database): Sync<FileStore> {
  const s = {
    save: db.prepare<[{ id: string; name: string; mime: string; bytes: Buffer; created_at: number }]>(
      `INSERT INTO outbox_files (id, name, mime, bytes, created_at) VALUES (@id, @name, @mime, @bytes, @created_at)
       ON CONFLICT (id) DO NOTHING`,
    ),
    get: db.prepare<[string], FileRow>('SELECT id, name, mime, bytes, created_at FROM outbox_files WHERE id = ?'),
    delete: db.prepare<[string]>('DELETE FROM outbox_files WHERE id = ?'),
    prune: db.prepare<[number, number]>(
      `DELETE FROM outbox_files WHERE id IN (
         SELECT f.id FROM outbox_files f
         WHERE f.created_at < ?
           AND NOT EXISTS (
             SELECT 1 FROM outbox o, json_each(o.action, '$.message.attachments') a
             WHERE o.status IN ('pending', 'sending') AND json_extract(a.value, '$.fileId') = f.id)
         ORDER BY f.created_at LIMIT ?)`,
    ),
  };

  return {
    saveFile(file) {
      s.save.run({
        id: file.id,
        name: file.name,
        mime: file.mime,
        bytes: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength),
        created_at: ms(file.createdAt),
      });
    },

    getFiles(ids) {
      const files: StoredFile[] = [];
      for (const id of new Set(ids)) {
        const row = s.get.get(id);
        if (row)
          files.push({
            id: row.id,
            name: row.name,
            mime: row.mime,
            bytes: new Uint8Array(row.bytes),
            createdAt: new Date(row.created_at),
          });
      }
      return files;
    },

    deleteFiles(ids) {
      let n = 0;
      for (const id of new Set(ids)) n += s.delete.run(id).changes;
      return n;
    },

    pruneFiles(before, limit) {
      return s.prune.run(ms(before), limit).changes;
    },
  };
}
