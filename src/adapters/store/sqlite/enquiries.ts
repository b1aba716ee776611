/**
 * Enquiries in SQLite: a JSON document per enquiry, with its instant, status, owner and topic as columns
 * for the listings and the counts; staff-saved knowledge entries as documents beside them.
 */
import type Database from 'better-sqlite3';
import { KNOWLEDGE_TOPICS, type KnowledgeEntry, type KnowledgeTopic } from '../../../core/knowledge/entry.js';
import type { Enquiry, EnquiryCounts, EnquiryStatus, EnquiryStore } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { ms, placeholders, StatementCache, withDates, withIsoDates } from './rows.js';

const DEFAULT_LIMIT = 100;
const ENQUIRY_DATES = ['askedAt', 'dueAt', 'remindedAt', 'escalatedAt', 'answeredAt', 'updatedAt'] as const;
const ENTRY_DATES = ['createdAt'] as const;

interface EnquiryColumns {
  id: string;
  asked_at: number;
  status: EnquiryStatus;
  owner_id: string;
  topic: string | null;
  doc: string;
}

function enquiryColumns(e: Enquiry): EnquiryColumns {
  return {
    id: e.id,
    asked_at: ms(e.askedAt),
    status: e.status,
    owner_id: e.ownerId,
    topic: e.topic ?? null,
    doc: JSON.stringify(withIsoDates(e, ENQUIRY_DATES)),
  };
}

function enquiryFromDoc(text: string): Enquiry {
  return withDates<Enquiry>(text, 'enquiry', ENQUIRY_DATES);
}

function entryFromDoc(text: string): KnowledgeEntry {
  return withDates<KnowledgeEntry>(text, 'knowledge_entry', ENTRY_DATES);
}

/** One group of a period's enquiries, as the count query returns it. */
interface CountRow {
  status: EnquiryStatus;
  /** 1 when the owner said the automatic answer did not help. */
  turned_down: number;
  has_answer: number;
  topic: string | null;
  n: number;
}

export function enquiryOps(db: Database.Database): Sync<EnquiryStore> {
  const cache = new StatementCache(db);
  const s = {
    insert: db.prepare<[EnquiryColumns]>(
      `INSERT INTO enquiries (id, asked_at, status, owner_id, topic, doc)
         VALUES (@id, @asked_at, @status, @owner_id, @topic, @doc)`,
    ),
    upsert: db.prepare<[EnquiryColumns]>(
      `INSERT INTO enquiries (id, asked_at, status, owner_id, topic, doc)
         VALUES (@id, @asked_at, @status, @owner_id, @topic, @doc)
         ON CONFLICT (id) DO UPDATE SET asked_at = excluded.asked_at, status = excluded.status,
           owner_id = excluded.owner_id, topic = excluded.topic, doc = excluded.doc`,
    ),
    get: db.prepare<[string], string>('SELECT doc FROM enquiries WHERE id = ?').pluck(),
    // The few facts the counts need, read from the documents of one period (walked by enquiries_asked).
    count: db.prepare<[number, number], CountRow>(
      `SELECT status,
           coalesce(json_type(doc, '$.helpful') = 'false', 0) AS turned_down,
           coalesce(json_type(doc, '$.answer') = 'text' AND json_extract(doc, '$.answer') <> '', 0) AS has_answer,
           topic, count(*) AS n
         FROM enquiries WHERE asked_at >= ? AND asked_at < ?
         GROUP BY status, turned_down, has_answer, topic`,
    ),

    saveEntry: db.prepare<[{ id: string; created_at: number | null; doc: string }]>(
      `INSERT INTO knowledge_entries (id, created_at, doc) VALUES (@id, @created_at, @doc)
         ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, doc = excluded.doc`,
    ),
    listEntries: db.prepare<[], string>('SELECT doc FROM knowledge_entries ORDER BY created_at, id').pluck(),
    deleteEntry: db.prepare<[string]>('DELETE FROM knowledge_entries WHERE id = ?'),
  };

  return {
    createEnquiry(enquiry) {
      s.insert.run(enquiryColumns(enquiry));
    },

    saveEnquiry(enquiry) {
      s.upsert.run(enquiryColumns(enquiry));
    },

    getEnquiry(id) {
      const doc = s.get.get(id);
      return doc === undefined ? undefined : enquiryFromDoc(doc);
    },

    listEnquiries(filter = {}) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.statuses !== undefined) {
        if (filter.statuses.length === 0) return [];
        where.push(`status IN (${placeholders(filter.statuses.length)})`);
        params.push(...filter.statuses);
      }
      if (filter.ownerId !== undefined) {
        where.push('owner_id = ?');
        params.push(filter.ownerId);
      }
      if (filter.period !== undefined) {
        where.push('asked_at >= ? AND asked_at < ?');
        params.push(ms(filter.period.from), ms(filter.period.to));
      }
      const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      params.push(Math.max(0, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
      return cache
        .pluck<string>(`SELECT doc FROM enquiries ${clause} ORDER BY asked_at DESC, id DESC LIMIT ?`)
        .all(...params)
        .map(enquiryFromDoc);
    },

    countEnquiries(period) {
      const counts: EnquiryCounts = { total: 0, answered: 0, staff: 0, unanswered: 0, byTopic: {} };
      for (const row of s.count.all(ms(period.from), ms(period.to))) {
        counts.total += row.n;
        if (row.status === 'answered' && row.turned_down === 0) counts.answered += row.n;
        else if (row.status === 'staff') counts.staff += row.n;
        else if (row.status === 'waiting' || (row.status === 'closed' && row.has_answer === 0)) {
          counts.unanswered += row.n;
        }
        if (row.topic !== null && (KNOWLEDGE_TOPICS as readonly string[]).includes(row.topic)) {
          const topic = row.topic as KnowledgeTopic;
          counts.byTopic[topic] = (counts.byTopic[topic] ?? 0) + row.n;
        }
      }
      return counts;
    },

    saveKnowledgeEntry(entry) {
      s.saveEntry.run({
        id: entry.id,
        created_at: entry.createdAt === undefined ? null : ms(entry.createdAt),
        doc: JSON.stringify(withIsoDates(entry, ENTRY_DATES)),
      });
    },

    listKnowledgeEntries() {
      return s.listEntries.all().map(entryFromDoc);
    },

    deleteKnowledgeEntry(id) {
      return s.deleteEntry.run(id).changes === 1;
    },
  };
}
