/** The outbox and message refs in SQLite: per-chat order by `seq`, leased with conditional updates. */
import type Database from 'better-sqlite3';
import type { OutboxItem, OutboxStatus, OutboxStore } from '../../../core/ports.js';
import type { Channel, OutboundAction } from '../../../core/types.js';
import type { Sync } from '../shared/methods.js';
import { ms, parseJson, reviveDate, StatementCache } from './rows.js';

interface OutboxRow {
  seq: number;
  id: string;
  channel: Channel;
  chat_id: string;
  action: string;
  status: OutboxStatus;
  attempts: number;
  not_before: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  platform_message_id: string | null;
  created_at: number;
  cosmetic: 0 | 1;
}

function outboxFromRow(row: OutboxRow): OutboxItem {
  const action = parseJson<OutboundAction>(row.action, 'outbox.action');
  const item: OutboxItem = {
    id: row.id,
    seq: row.seq,
    channel: row.channel,
    chatId: row.chat_id,
    action,
    status: row.status,
    attempts: row.attempts,
    notBefore: reviveDate(row.not_before, 'outbox.not_before'),
    createdAt: reviveDate(row.created_at, 'outbox.created_at'),
  };
  if (row.lease_owner !== null) item.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) item.leaseUntil = reviveDate(row.lease_until, 'outbox.lease_until');
  if (row.last_error !== null) item.lastError = row.last_error;
  if (row.platform_message_id !== null) item.platformMessageId = row.platform_message_id;
  if (row.cosmetic === 1) item.cosmetic = true;
  return item;
}

/** The message ref an action points at: what an edit changes, what a send replies to. */
function targetRef(action: OutboundAction): string | undefined {
  return action.kind === 'edit' ? action.ref : action.message.replyToRef;
}

/** The note on a cosmetic edit that a later one of the same message made unnecessary. */
export const SUPERSEDED = 'superseded by a later edit of the same message';

export function outboxOps(db: Database.Database): Sync<OutboxStore> {
  const cache = new StatementCache(db);
  const s = {
    insertOutbox: db.prepare<
      [
        {
          id: string;
          channel: Channel;
          chat_id: string;
          action: string;
          cosmetic: 0 | 1;
          not_before: number;
          now: number;
        },
      ]
    >(
      `INSERT INTO outbox (id, channel, chat_id, action, cosmetic, status, attempts, not_before, created_at, updated_at)
         VALUES (@id, @channel, @chat_id, @action, @cosmetic, 'pending', 0, @not_before, @now, @now)`,
    ),
    pullOutboxForward: db.prepare<[{ channel: Channel; chat_id: string; not_before: number }]>(
      `UPDATE outbox SET not_before = @not_before
         WHERE channel = @channel AND chat_id = @chat_id AND status = 'pending' AND attempts = 0
           AND last_error IS NULL AND not_before > @not_before`,
    ),
    // A chat's item is claimable unless another of the chat is being sent, an earlier one is unfinished
    // (for an ordinary item: an earlier ordinary one; cosmetic ones step aside), or, for a cosmetic item,
    // a later ordinary one is due (it goes first). So at most one item per chat is ever out.
    claimableOutbox: db.prepare<[{ now: number; limit: number }], { seq: number; status: OutboxStatus }>(
      `SELECT o.seq, o.status FROM outbox o
           WHERE ((o.status = 'pending' AND o.not_before <= @now) OR (o.status = 'sending' AND o.lease_until < @now))
             AND NOT EXISTS (
               SELECT 1 FROM outbox p
               WHERE p.channel = o.channel AND p.chat_id = o.chat_id AND p.seq <> o.seq
                 AND p.status IN ('pending', 'sending')
                 AND (p.status = 'sending'
                   OR (p.seq < o.seq AND (p.cosmetic = 0 OR o.cosmetic = 1))
                   OR (p.seq > o.seq AND p.not_before <= @now AND p.cosmetic = 0 AND o.cosmetic = 1))
             )
           ORDER BY o.seq LIMIT @limit`,
    ),
    laterCosmeticEdit: db
      .prepare<[Channel, string, number, string], number>(
        `SELECT 1 FROM outbox WHERE channel = ? AND chat_id = ? AND seq > ? AND status = 'pending'
           AND cosmetic = 1 AND json_extract(action, '$.kind') = 'edit'
           AND json_extract(action, '$.ref') = ? LIMIT 1`,
      )
      .pluck(),
    settleSuperseded: db.prepare<[string, number, number]>(
      `UPDATE outbox SET status = 'sent', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE seq = ?`,
    ),
    leaseOutbox: db.prepare<[string, number, number, number], OutboxRow>(
      `UPDATE outbox SET status = 'sending', lease_owner = ?, lease_until = ?, updated_at = ?
         WHERE seq = ? RETURNING *`,
    ),
    markOutboxSent: db.prepare<[string | null, string | null, number, string], { channel: Channel; chat_id: string }>(
      `UPDATE outbox SET status = 'sent', platform_message_id = ?, last_error = coalesce(?, last_error),
           lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status IN ('pending', 'sending')
         RETURNING channel, chat_id`,
    ),
    renewOutboxLease: db.prepare<[number, string, string]>(
      `UPDATE outbox SET lease_until = ? WHERE id = ? AND status = 'sending' AND lease_owner = ?`,
    ),
    markOutboxRetry: db.prepare<[number, string | null, number, string]>(
      `UPDATE outbox SET status = 'pending', not_before = ?, last_error = coalesce(?, last_error),
           attempts = attempts + ?, lease_owner = NULL, lease_until = NULL
         WHERE id = ? AND status IN ('pending', 'sending')`,
    ),
    markOutboxDead: db.prepare<[string, number, string]>(
      `UPDATE outbox SET status = 'dead', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status IN ('pending', 'sending')`,
    ),

    setMessageRef: db.prepare<[Channel, string, string, string]>(
      `INSERT INTO message_refs (channel, chat_id, ref, platform_message_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, chat_id, ref) DO UPDATE SET platform_message_id = excluded.platform_message_id`,
    ),
    getMessageRef: db
      .prepare<[Channel, string, string], string>(
        'SELECT platform_message_id FROM message_refs WHERE channel = ? AND chat_id = ? AND ref = ?',
      )
      .pluck(),
    findRefByMessage: db
      .prepare<[Channel, string, string], string>(
        `SELECT ref FROM message_refs WHERE channel = ? AND chat_id = ? AND platform_message_id = ?
           ORDER BY rowid DESC LIMIT 1`,
      )
      .pluck(),
    // An item is due before it is sent, so `not_before < ?` holds too and lets outbox_status_due find them.
    pruneDelivered: db.prepare<[number, number, number]>(
      `DELETE FROM outbox WHERE seq IN (
         SELECT seq FROM outbox WHERE status = 'sent' AND not_before < ? AND updated_at < ? ORDER BY seq LIMIT ?)`,
    ),
  };

  return {
    enqueue(items, now) {
      for (const item of items) {
        const notBefore = ms(item.notBefore ?? now);
        // Nothing waits behind an item due later: what goes now takes its chat's deferred items with it.
        s.pullOutboxForward.run({ channel: item.channel, chat_id: item.chatId, not_before: notBefore });
        s.insertOutbox.run({
          id: item.id,
          channel: item.channel,
          chat_id: item.chatId,
          action: JSON.stringify(item.action),
          cosmetic: item.cosmetic ? 1 : 0,
          not_before: notBefore,
          now: ms(now),
        });
      }
    },

    claimOutbox(now, worker, leaseMs, limit) {
      const leaseUntil = ms(now) + leaseMs;
      const claimed: OutboxItem[] = [];
      // A superseded cosmetic edit is settled, and its chat's heads looked at again (a few rounds at most:
      // each settles one edit of a chat).
      for (let round = 0; round < 4 && claimed.length < limit; round++) {
        let superseded = 0;
        for (const { seq, status } of s.claimableOutbox.all({ now: ms(now), limit: limit - claimed.length })) {
          const row = s.leaseOutbox.get(worker, leaseUntil, ms(now), seq);
          if (!row) continue;
          const item = outboxFromRow(row);
          const ref = targetRef(item.action);
          if (item.cosmetic && item.action.kind === 'edit' && ref !== undefined) {
            if (s.laterCosmeticEdit.get(item.channel, item.chatId, item.seq, ref) !== undefined) {
              s.settleSuperseded.run(SUPERSEDED, ms(now), seq);
              superseded += 1;
              continue;
            }
          }
          if (status === 'sending') item.takenOver = true;
          const target = ref === undefined ? undefined : s.getMessageRef.get(item.channel, item.chatId, ref);
          if (target !== undefined) item.target = target;
          const closes = item.action.kind === 'send' ? item.action.closes?.ref : undefined;
          const closesTarget =
            closes === undefined ? undefined : s.getMessageRef.get(item.channel, item.chatId, closes);
          if (closesTarget !== undefined) item.closesTarget = closesTarget;
          claimed.push(item);
        }
        if (superseded === 0) break;
      }
      return claimed;
    },

    renewOutboxLeases(ids, worker, leaseUntil) {
      let renewed = 0;
      for (const id of ids) renewed += s.renewOutboxLease.run(ms(leaseUntil), id, worker).changes;
      return renewed;
    },

    markOutboxSent(id, platformMessageId, now, extra) {
      // One transaction (every port call is one): the status, the id and the ref land together.
      const row = s.markOutboxSent.get(platformMessageId ?? null, extra?.note ?? null, ms(now), id);
      if (row && extra?.ref !== undefined && platformMessageId !== undefined) {
        s.setMessageRef.run(row.channel, row.chat_id, extra.ref, platformMessageId);
      }
    },

    markOutboxRetry(id, notBefore, error, countAttempt) {
      s.markOutboxRetry.run(ms(notBefore), error ?? null, countAttempt ? 1 : 0, id);
    },

    markOutboxDead(id, error, now) {
      s.markOutboxDead.run(error, ms(now), id);
    },

    listOutbox(filter) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.status !== undefined) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.channel !== undefined) {
        where.push('channel = ?');
        params.push(filter.channel);
      }
      if (filter.chatId !== undefined) {
        where.push('chat_id = ?');
        params.push(filter.chatId);
      }
      const sql = `SELECT * FROM outbox ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
      return cache
        .get<OutboxRow>(sql)
        .all(...params)
        .map(outboxFromRow);
    },

    setMessageRef(channel, chatId, ref, platformMessageId) {
      s.setMessageRef.run(channel, chatId, ref, platformMessageId);
    },

    getMessageRef(channel, chatId, ref) {
      return s.getMessageRef.get(channel, chatId, ref);
    },

    findRefByMessage(channel, chatId, platformMessageId) {
      return s.findRefByMessage.get(channel, chatId, platformMessageId);
    },

    pruneDeliveredOutbox(before, limit) {
      return s.pruneDelivered.run(ms(before), ms(before), limit).changes;
    },
  };
}
