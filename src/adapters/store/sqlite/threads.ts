/** Threads, the message log and inbound dedupe in SQLite. */
import type Database from 'better-sqlite3';
import type { MessageLogEntry, Thread, ThreadStore } from '../../../core/ports.js';
import type { Channel } from '../../../core/types.js';
import type { Sync } from '../shared/methods.js';
import { iso, ms, parseJson, reviveDate } from './rows.js';

type ThreadDoc = Omit<Thread, 'updatedAt'> & { updatedAt: string };

function threadFromDoc(text: string): Thread {
  const doc = parseJson<ThreadDoc>(text, 'thread');
  return { ...doc, updatedAt: reviveDate(doc.updatedAt, 'thread.updatedAt') };
}

interface MessageRow {
  channel: Channel;
  chat_id: string;
  direction: 'in' | 'out';
  at: number;
  message_id: string | null;
  body: string;
}

function messageFromRow(row: MessageRow): MessageLogEntry {
  const entry: MessageLogEntry = {
    channel: row.channel,
    chatId: row.chat_id,
    direction: row.direction,
    at: reviveDate(row.at, 'message_log.at'),
    body: parseJson<unknown>(row.body, 'message_log.body'),
  };
  if (row.message_id !== null) entry.messageId = row.message_id;
  return entry;
}

export function threadOps(db: Database.Database): Sync<ThreadStore> {
  const s = {
    markInbound: db.prepare<[Channel, string, number]>(
      'INSERT INTO inbound_seen (channel, message_id, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    getThread: db
      .prepare<[Channel, string], string>('SELECT doc FROM threads WHERE channel = ? AND chat_id = ?')
      .pluck(),
    upsertThread: db.prepare<
      [{ channel: Channel; chat_id: string; owner_id: string; updated_at: number; doc: string }]
    >(
      `INSERT INTO threads (channel, chat_id, owner_id, updated_at, doc)
         VALUES (@channel, @chat_id, @owner_id, @updated_at, @doc)
         ON CONFLICT (channel, chat_id) DO UPDATE SET owner_id = excluded.owner_id, updated_at = excluded.updated_at,
           doc = excluded.doc`,
    ),
    logMessage: db.prepare<[Channel, string, 'in' | 'out', number, string | null, string]>(
      'INSERT INTO message_log (channel, chat_id, direction, at, message_id, body) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    listMessages: db.prepare<[Channel, string, number], MessageRow>(
      `SELECT * FROM (
           SELECT id, channel, chat_id, direction, at, message_id, body FROM message_log
           WHERE channel = ? AND chat_id = ? ORDER BY id DESC LIMIT ?
         ) ORDER BY id`,
    ),
    // The log is in id order, which is time order: look at the oldest `limit` rows only, never the whole table.
    oldestBefore: db
      .prepare<[number, number], number | null>(
        'SELECT max(id) FROM (SELECT id, at FROM message_log ORDER BY id LIMIT ?) WHERE at < ?',
      )
      .pluck(),
    pruneMessages: db.prepare<[number, number]>('DELETE FROM message_log WHERE id <= ? AND at < ?'),
  };

  return {
    markInbound(channel, messageId, at) {
      return s.markInbound.run(channel, messageId, ms(at)).changes === 1;
    },

    getThread(channel, chatId) {
      const doc = s.getThread.get(channel, chatId);
      return doc === undefined ? undefined : threadFromDoc(doc);
    },

    saveThread(thread) {
      s.upsertThread.run({
        channel: thread.channel,
        chat_id: thread.chatId,
        owner_id: thread.ownerId,
        updated_at: ms(thread.updatedAt),
        doc: JSON.stringify({ ...thread, updatedAt: iso(thread.updatedAt) } satisfies ThreadDoc),
      });
    },

    logMessage(entry) {
      s.logMessage.run(
        entry.channel,
        entry.chatId,
        entry.direction,
        ms(entry.at),
        entry.messageId ?? null,
        JSON.stringify(entry.body) ?? 'null',
      );
    },

    listMessages(channel, chatId, limit = 100) {
      return s.listMessages.all(channel, chatId, limit).map(messageFromRow);
    },

    pruneMessages(before, limit) {
      const upTo = s.oldestBefore.get(limit, ms(before));
      return upTo === null || upTo === undefined ? 0 : s.pruneMessages.run(upTo, ms(before)).changes;
    },
  };
}
