/**
 * A SQLite deployment's file read and written directly, on a connection of its own: as the source, what
 * the Store port has no way to list (chats, the message log's chats, dedupe keys, counters, message refs,
 * settings, campaign and notice ids, outbox files' ids); as a target, what only a store may write (job and
 * outbox state, counters). The SQL of this command stays in this file, apart from the copy, which sees only the
 * `SourceReader` and `TargetAdmin` interfaces.
 */
import Database from 'better-sqlite3';
import type { Job, OutboxItem } from '../../core/ports.js';
import type { Channel } from '../../core/types.js';
import {
  type ChatKey,
  COLLECTION_NAMES,
  COLLECTIONS,
  type Collection,
  type Counts,
  type SourceReader,
  type TargetAdmin,
} from './contract.js';

/** Where each collection lives in a SQLite file written by the SQLite store (the report uses the same names). */
const TABLES: Record<Collection, string> = COLLECTION_NAMES;

/**
 * A SQLite store's file opened on a connection of its own: read-only as a source (what the port cannot
 * list), writable as a target (what only the store may write). Open the store on it first, so that the
 * schema is there.
 */
export class SqliteFile implements SourceReader, TargetAdmin {
  private readonly db: Database.Database;

  constructor(path: string, opts: { readonly: boolean }) {
    this.db = new Database(path, { readonly: opts.readonly, fileMustExist: true, timeout: 5000 });
  }

  close(): void {
    this.db.close();
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
  }

  async counts(): Promise<Counts> {
    const counts = {} as Counts;
    for (const collection of COLLECTIONS) {
      const table = TABLES[collection];
      counts[collection] = this.hasTable(table)
        ? (this.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0)
        : 0;
    }
    return counts;
  }

  async threadKeys(): Promise<ChatKey[]> {
    return this.db
      .prepare<[], { channel: Channel; chatId: string }>(
        'SELECT channel, chat_id AS chatId FROM threads ORDER BY rowid',
      )
      .all();
  }

  async messageChats(): Promise<ChatKey[]> {
    return this.db
      .prepare<[], { channel: Channel; chatId: string }>(
        'SELECT channel, chat_id AS chatId FROM message_log GROUP BY channel, chat_id ORDER BY min(id)',
      )
      .all();
  }

  async inboundKeys(): Promise<{ channel: Channel; messageId: string; at: Date }[]> {
    return this.db
      .prepare<[], { channel: Channel; messageId: string; at: number }>(
        'SELECT channel, message_id AS messageId, at FROM inbound_seen ORDER BY at, channel, message_id',
      )
      .all()
      .map((row) => ({ ...row, at: new Date(row.at) }));
  }

  async counters(): Promise<{ name: string; value: number }[]> {
    return this.db.prepare<[], { name: string; value: number }>('SELECT name, value FROM counters ORDER BY name').all();
  }

  async messageRefs(): Promise<{ channel: Channel; chatId: string; ref: string; platformMessageId: string }[]> {
    return this.db
      .prepare<[], { channel: Channel; chatId: string; ref: string; platformMessageId: string }>(
        `SELECT channel, chat_id AS chatId, ref, platform_message_id AS platformMessageId
           FROM message_refs ORDER BY rowid`,
      )
      .all();
  }

  async settings(): Promise<{ key: string; value: string }[]> {
    return this.db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key').all();
  }

  async surveyCampaignIds(): Promise<string[]> {
    const sources = [
      ['survey_campaigns', 'id'],
      ['survey_invitations', 'campaign_id'],
      ['survey_responses', 'campaign_id'],
    ].filter(([table]) => this.hasTable(table ?? ''));
    if (sources.length === 0) return [];
    const union = sources.map(([table, column]) => `SELECT ${column} AS id FROM ${table}`).join(' UNION ');
    return this.db.prepare<[], string>(`SELECT id FROM (${union}) ORDER BY id`).pluck().all();
  }

  async noticeIds(): Promise<string[]> {
    const sources = [
      ['notices', 'id'],
      ['notice_deliveries', 'notice_id'],
    ].filter(([table]) => this.hasTable(table ?? ''));
    if (sources.length === 0) return [];
    const union = sources.map(([table, column]) => `SELECT ${column} AS id FROM ${table}`).join(' UNION ');
    return this.db.prepare<[], string>(`SELECT id FROM (${union}) ORDER BY id`).pluck().all();
  }

  async fileIds(): Promise<string[]> {
    if (!this.hasTable(TABLES.outboxFiles)) return [];
    return this.db.prepare<[], string>(`SELECT id FROM ${TABLES.outboxFiles} ORDER BY created_at, id`).pluck().all();
  }

  async hasInbound(channel: Channel, messageId: string): Promise<boolean> {
    return (
      this.db.prepare('SELECT 1 FROM inbound_seen WHERE channel = ? AND message_id = ?').get(channel, messageId) !==
      undefined
    );
  }

  async counterValue(name: string): Promise<number | undefined> {
    return this.db.prepare<[string], number>('SELECT value FROM counters WHERE name = ?').pluck().get(name);
  }

  async raiseCounter(name: string, value: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO counters (name, value) VALUES (?, ?)
           ON CONFLICT (name) DO UPDATE SET value = max(value, excluded.value)`,
      )
      .run(name, value);
  }

  async putJob(job: Job): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO jobs (id, type, status, due_at, key, payload, attempts, lease_owner, lease_until, last_error,
             created_at, updated_at)
           VALUES (@id, @type, @status, @due_at, @key, @payload, @attempts, @lease_owner, @lease_until, @last_error,
             @created_at, @updated_at)
           ON CONFLICT (id) DO UPDATE SET type = excluded.type, status = excluded.status, due_at = excluded.due_at,
             key = excluded.key, payload = excluded.payload, attempts = excluded.attempts,
             lease_owner = excluded.lease_owner, lease_until = excluded.lease_until, last_error = excluded.last_error,
             created_at = excluded.created_at, updated_at = excluded.updated_at`,
      )
      .run({
        id: job.id,
        type: job.type,
        status: job.status,
        due_at: job.dueAt.getTime(),
        key: job.key ?? null,
        payload: JSON.stringify(job.payload),
        attempts: job.attempts,
        lease_owner: job.leaseOwner ?? null,
        lease_until: job.leaseUntil?.getTime() ?? null,
        last_error: job.lastError ?? null,
        created_at: job.createdAt.getTime(),
        updated_at: job.updatedAt.getTime(),
      });
  }

  async putOutbox(item: OutboxItem): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO outbox (id, channel, chat_id, action, cosmetic, status, attempts, not_before, lease_owner,
             lease_until, last_error, platform_message_id, created_at, updated_at)
           VALUES (@id, @channel, @chat_id, @action, @cosmetic, @status, @attempts, @not_before, @lease_owner,
             @lease_until, @last_error, @platform_message_id, @created_at, @created_at)
           ON CONFLICT (id) DO UPDATE SET channel = excluded.channel, chat_id = excluded.chat_id,
             action = excluded.action, cosmetic = excluded.cosmetic, status = excluded.status, attempts = excluded.attempts,
             not_before = excluded.not_before, lease_owner = excluded.lease_owner, lease_until = excluded.lease_until,
             last_error = excluded.last_error, platform_message_id = excluded.platform_message_id,
             created_at = excluded.created_at`,
      )
      .run({
        id: item.id,
        channel: item.channel,
        chat_id: item.chatId,
        action: JSON.stringify(item.action),
        cosmetic: item.cosmetic ? 1 : 0,
        status: item.status,
        attempts: item.attempts,
        not_before: item.notBefore.getTime(),
        lease_owner: item.leaseOwner ?? null,
        lease_until: item.leaseUntil?.getTime() ?? null,
        last_error: item.lastError ?? null,
        platform_message_id: item.platformMessageId ?? null,
        created_at: item.createdAt.getTime(),
      });
  }
}
