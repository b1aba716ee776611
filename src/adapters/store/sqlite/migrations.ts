/**
 * The SQLite schema as an ordered list of migrations, and the runner that applies them at open.
 * Instants are integer milliseconds (UTC) in columns; domain objects are JSON documents in `doc`.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { StoreError } from '../../../core/ports.js';

/** One schema change. Applied once, in order, in its own transaction; never edited once released. */
export interface Migration {
  /** Positive and strictly increasing along `MIGRATIONS`. */
  id: number;
  name: string;
  sql: string;
}

/** Every schema change, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'initial',
    sql: `
      CREATE TABLE inbound_seen (
        channel TEXT NOT NULL,
        message_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (channel, message_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE owners (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      ) STRICT;

      CREATE TABLE owner_identities (
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        owner_id TEXT NOT NULL REFERENCES owners (id) ON DELETE CASCADE,
        PRIMARY KEY (channel, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX owner_identities_owner ON owner_identities (owner_id);

      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        user_id TEXT NOT NULL,
        doc TEXT NOT NULL,
        UNIQUE (channel, user_id)
      ) STRICT;

      CREATE TABLE threads (
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (channel, chat_id)
      ) STRICT;
      CREATE INDEX threads_owner ON threads (owner_id);

      CREATE TABLE message_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
        at INTEGER NOT NULL,
        message_id TEXT,
        body TEXT NOT NULL
      ) STRICT;
      CREATE INDEX message_log_chat ON message_log (channel, chat_id, id);

      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL,
        assignee_id TEXT,
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX tickets_created ON tickets (created_at);
      CREATE INDEX tickets_owner ON tickets (owner_id, created_at);
      CREATE INDEX tickets_assignee ON tickets (assignee_id, created_at);
      CREATE INDEX tickets_status ON tickets (status, created_at);

      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
        due_at INTEGER NOT NULL,
        key TEXT,
        payload TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX jobs_key_unfinished ON jobs (key)
        WHERE key IS NOT NULL AND status IN ('pending', 'running');
      CREATE INDEX jobs_key ON jobs (key);
      CREATE INDEX jobs_status_due ON jobs (status, due_at);
      CREATE INDEX jobs_status_lease ON jobs (status, lease_until);

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before INTEGER NOT NULL,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error TEXT,
        platform_message_id TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_chat ON outbox (channel, chat_id, seq);
      CREATE INDEX outbox_status_due ON outbox (status, not_before);
      CREATE INDEX outbox_chat_unfinished ON outbox (channel, chat_id, seq)
        WHERE status IN ('pending', 'sending');

      CREATE TABLE message_refs (
        channel TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        ref TEXT NOT NULL,
        platform_message_id TEXT NOT NULL,
        PRIMARY KEY (channel, chat_id, ref)
      ) STRICT;
      CREATE INDEX message_refs_message ON message_refs (channel, chat_id, platform_message_id);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    id: 2,
    name: 'surveys',
    sql: `
      CREATE TABLE survey_campaigns (
        id TEXT PRIMARY KEY,
        questionnaire_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'closed')),
        created_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX survey_campaigns_questionnaire ON survey_campaigns (questionnaire_id, created_at);
      CREATE INDEX survey_campaigns_created ON survey_campaigns (created_at);

      CREATE TABLE survey_invitations (
        campaign_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('invited', 'reminded1', 'reminded2', 'answered', 'declined')),
        invited_at INTEGER NOT NULL,
        last_contact_at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (campaign_id, owner_id)
      ) STRICT;
      CREATE INDEX survey_invitations_due ON survey_invitations (campaign_id, status, last_contact_at);
      CREATE INDEX survey_invitations_order ON survey_invitations (campaign_id, invited_at, owner_id);
      CREATE INDEX survey_invitations_owner ON survey_invitations (owner_id, invited_at);

      CREATE TABLE survey_responses (
        campaign_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        id TEXT NOT NULL UNIQUE,
        submitted_at INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (campaign_id, owner_id)
      ) STRICT;
      CREATE INDEX survey_responses_submitted ON survey_responses (campaign_id, submitted_at, id);

      CREATE TABLE survey_opt_outs (
        owner_id TEXT PRIMARY KEY,
        at INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    id: 3,
    name: 'owners by phone',
    // A column kept by saveOwner rather than an index on the document, so that one unreadable document
    // (reported as STORE_CORRUPT when read) can neither stop this migration nor a later write.
    sql: `
      ALTER TABLE owners ADD COLUMN phone TEXT;
      UPDATE owners SET phone = json_extract(doc, '$.phone')
        WHERE json_valid(doc) AND json_type(doc, '$.phone') = 'text';
      CREATE INDEX owners_phone ON owners (phone, created_at, id);
    `,
  },
  {
    id: 4,
    name: 'report queries',
    // Columns kept by saveTicket, filled here from the documents (an unreadable one is left out, as in 3):
    // a period's tickets are walked and counted from one covering index, and the revisit comments of a
    // period (survey themes) from a partial index on the tickets whose revisit left one.
    sql: `
      ALTER TABLE tickets ADD COLUMN kind TEXT;
      ALTER TABLE tickets ADD COLUMN category TEXT;
      ALTER TABLE tickets ADD COLUMN responsibility TEXT;
      ALTER TABLE tickets ADD COLUMN revisit_comment_at INTEGER;
      UPDATE tickets SET
          kind = CASE WHEN json_type(doc, '$.kind') = 'text' THEN json_extract(doc, '$.kind') END,
          category = CASE WHEN json_type(doc, '$.category') = 'text' THEN json_extract(doc, '$.category') END,
          responsibility = CASE WHEN json_type(doc, '$.responsibility') = 'text'
            THEN json_extract(doc, '$.responsibility') END
        WHERE json_valid(doc);
      UPDATE tickets SET revisit_comment_at = CAST(round(unixepoch(json_extract(doc, '$.revisit.at'), 'subsec') * 1000)
          AS INTEGER)
        WHERE json_valid(doc) AND json_type(doc, '$.revisit.at') = 'text'
          AND json_type(doc, '$.revisit.comment') = 'text' AND json_extract(doc, '$.revisit.comment') <> '';
      CREATE INDEX tickets_created_counts ON tickets (created_at, id, kind, category, responsibility, status);
      CREATE INDEX tickets_revisit_comment ON tickets (revisit_comment_at, id) WHERE revisit_comment_at IS NOT NULL;
    `,
  },
  {
    id: 5,
    name: 'praise',
    // Praise owners give staff (表扬): a document per praise, counted per period and team.
    sql: `
      CREATE TABLE praise (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        team TEXT NOT NULL,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX praise_at ON praise (at, team);
    `,
  },
  {
    id: 6,
    name: 'enquiries and notices',
    // Enquiries (咨询) listed newest first by status or owner and counted per period and topic; the
    // knowledge entries staff saved; notices listed newest first or by validity; one delivery per notice
    // and owner (the primary key is what keeps a restart from sending twice), walked in owner id order.
    sql: `
      CREATE TABLE enquiries (
        id TEXT PRIMARY KEY,
        asked_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('answered', 'waiting', 'staff', 'closed')),
        owner_id TEXT NOT NULL,
        topic TEXT,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX enquiries_asked ON enquiries (asked_at, id);
      CREATE INDEX enquiries_status ON enquiries (status, asked_at, id);
      CREATE INDEX enquiries_owner ON enquiries (owner_id, asked_at, id);

      CREATE TABLE knowledge_entries (
        id TEXT PRIMARY KEY,
        created_at INTEGER,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX knowledge_entries_created ON knowledge_entries (created_at, id);

      CREATE TABLE notices (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'published', 'cancelled', 'expired')),
        valid_to INTEGER NOT NULL,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX notices_created ON notices (created_at, id);
      CREATE INDEX notices_status ON notices (status, valid_to);

      CREATE TABLE notice_deliveries (
        notice_id TEXT NOT NULL,
        owner_id TEXT NOT NULL,
        read_at INTEGER,
        doc TEXT NOT NULL,
        PRIMARY KEY (notice_id, owner_id)
      ) STRICT;
    `,
  },
  {
    id: 7,
    name: 'outbox cosmetic flag',
    // A cosmetic item (the edit that takes the buttons off an answered question) steps aside for its chat's
    // other items: a column the claim reads, rather than a flag parsed out of each row's JSON. Items written
    // before it kept the flag in their action's JSON: it moves here.
    sql: `
      ALTER TABLE outbox ADD COLUMN cosmetic INTEGER NOT NULL DEFAULT 0 CHECK (cosmetic IN (0, 1));
      UPDATE outbox SET cosmetic = 1, action = json_remove(action, '$.cosmetic')
        WHERE json_extract(action, '$.cosmetic') IS NOT NULL;
    `,
  },
  {
    id: 8,
    name: 'audit log',
    // Who did what (audit.ts): append-only, so an UPDATE is refused by the database itself; only retention
    // deletes, oldest first. Read by time, by actor and by subject (a ticket, campaign, notice, staff id).
    sql: `
      CREATE TABLE audit_log (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        subject_id TEXT,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_at ON audit_log (at, id);
      CREATE INDEX audit_log_actor ON audit_log (actor_id, at, id);
      CREATE INDEX audit_log_subject ON audit_log (subject_id, at, id) WHERE subject_id IS NOT NULL;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    id: 9,
    name: 'outbox files',
    // The bytes of generated files (a report's charts, a workbook) queued with an outbox item that names
    // them in its action's attachments; saved in the item's transaction, deleted once it is sent
    // (files.ts).
    sql: `
      CREATE TABLE outbox_files (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        mime TEXT NOT NULL,
        bytes BLOB NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX outbox_files_created ON outbox_files (created_at);
    `,
  },
  {
    id: 10,
    name: 'ticket sources and contact records',
    // Where a complaint came from (代客登记: phone, counter, a guard or cleaner, a letter), a column so that
    // /summary counts it from an index; tickets before it came through the chat. Contact records (planned
    // contact with owners, the committee, contractors, government offices): a document per record with the
    // columns its lists read (by month, by owner, by phone, by name).
    sql: `
      ALTER TABLE tickets ADD COLUMN source TEXT NOT NULL DEFAULT 'chat';
      UPDATE tickets SET source = json_extract(doc, '$.source') WHERE json_extract(doc, '$.source') IS NOT NULL;
      CREATE INDEX tickets_created_source ON tickets (created_at, source);

      CREATE TABLE contacts (
        id TEXT PRIMARY KEY,
        at INTEGER NOT NULL,
        party TEXT NOT NULL,
        owner_id TEXT,
        phone TEXT,
        who TEXT NOT NULL,
        doc TEXT NOT NULL
      ) STRICT;
      CREATE INDEX contacts_at ON contacts (at, id);
      CREATE INDEX contacts_owner ON contacts (owner_id, at) WHERE owner_id IS NOT NULL;
      CREATE INDEX contacts_phone ON contacts (phone, at) WHERE phone IS NOT NULL;
      CREATE INDEX contacts_who ON contacts (who, at);
    `,
  },
];

/**
 * Brings the database up to `migrations`, applying each missing one in its own `BEGIN IMMEDIATE`
 * transaction after re-checking that no other connection applied it meanwhile, so that several processes
 * may open the same file at once. Returns the ids it applied. Throws `StoreError('STORE_MIGRATION')` when
 * a migration fails (its changes are rolled back) or when the database holds a migration this code does
 * not know (it was written by a newer release).
 */
export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, i) => {
    const previous = migrations[i - 1];
    if (!Number.isInteger(m.id) || m.id <= 0 || (previous !== undefined && m.id <= previous.id)) {
      throw new StoreError('STORE_MIGRATION', `migration ids must be positive and increasing (at ${m.id})`);
    }
  });

  try {
    db.exec(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        applied_at INTEGER NOT NULL
      ) STRICT
    `);
  } catch (error) {
    throw new StoreError('STORE_MIGRATION', 'cannot create schema_migrations', { cause: error });
  }

  const done = new Set(db.prepare<[], number>('SELECT id FROM schema_migrations').pluck().all());
  const known = new Set(migrations.map((m) => m.id));
  const unknown = [...done].filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new StoreError(
      'STORE_MIGRATION',
      `database has migrations this release does not know (${unknown.join(', ')}): it was written by a newer release`,
    );
  }

  const isApplied = db.prepare<[number], number>('SELECT 1 FROM schema_migrations WHERE id = ?').pluck();
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)',
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.id)) continue;
    try {
      db.exec('BEGIN IMMEDIATE');
      if (isApplied.get(m.id) === undefined) {
        db.exec(m.sql);
        record.run(m.id, m.name, Date.now());
        applied.push(m.id);
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new StoreError('STORE_MIGRATION', `migration ${m.id} (${m.name}) failed`, { cause: error });
    }
  }
  return applied;
}
