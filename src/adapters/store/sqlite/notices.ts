/**
 * Notices in SQLite: a JSON document per notice, with its creation, status and end of validity as
 * columns; one row per delivery keyed by notice and owner, so a second delivery to the same owner is
 * refused by the primary key itself.
 */
import type Database from 'better-sqlite3';
import type { Notice, NoticeDelivery, NoticeStatus, NoticeStore } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { iso, ms, placeholders, reviveDate, StatementCache, withDates, withIsoDates } from './rows.js';

const DEFAULT_LIMIT = 100;
const NOTICE_DATES = [
  'validFrom',
  'validTo',
  'sendAt',
  'createdAt',
  'updatedAt',
  'previewedAt',
  'publishedAt',
  'sentDoneAt',
  'cancelledAt',
  'expiredAt',
  'remindedAt',
] as const;
const DELIVERY_DATES = ['sentAt', 'readAt', 'remindedAt'] as const;

type StoredCorrection = Omit<Notice['corrections'][number], 'at'> & { at: string };

interface NoticeColumns {
  id: string;
  created_at: number;
  status: NoticeStatus;
  valid_to: number;
  doc: string;
}

function noticeColumns(n: Notice): NoticeColumns {
  const doc = withIsoDates(n, NOTICE_DATES);
  doc.corrections = n.corrections.map((c): StoredCorrection => ({ ...c, at: iso(c.at) }));
  return { id: n.id, created_at: ms(n.createdAt), status: n.status, valid_to: ms(n.validTo), doc: JSON.stringify(doc) };
}

function noticeFromDoc(text: string): Notice {
  const notice = withDates<Omit<Notice, 'corrections'> & { corrections?: StoredCorrection[] }>(
    text,
    'notice',
    NOTICE_DATES,
  );
  return {
    ...notice,
    corrections: (notice.corrections ?? []).map((c) => ({ ...c, at: reviveDate(c.at, 'notice.corrections.at') })),
  };
}

interface DeliveryColumns {
  notice_id: string;
  owner_id: string;
  read_at: number | null;
  doc: string;
}

function deliveryColumns(d: NoticeDelivery): DeliveryColumns {
  return {
    notice_id: d.noticeId,
    owner_id: d.ownerId,
    read_at: d.readAt === undefined ? null : ms(d.readAt),
    doc: JSON.stringify(withIsoDates(d, DELIVERY_DATES)),
  };
}

function deliveryFromDoc(text: string): NoticeDelivery {
  return withDates<NoticeDelivery>(text, 'notice_delivery', DELIVERY_DATES);
}

export function noticeOps(db: Database.Database): Sync<NoticeStore> {
  const cache = new StatementCache(db);
  const s = {
    insert: db.prepare<[NoticeColumns]>(
      `INSERT INTO notices (id, created_at, status, valid_to, doc)
         VALUES (@id, @created_at, @status, @valid_to, @doc)`,
    ),
    upsert: db.prepare<[NoticeColumns]>(
      `INSERT INTO notices (id, created_at, status, valid_to, doc)
         VALUES (@id, @created_at, @status, @valid_to, @doc)
         ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, status = excluded.status,
           valid_to = excluded.valid_to, doc = excluded.doc`,
    ),
    get: db.prepare<[string], string>('SELECT doc FROM notices WHERE id = ?').pluck(),

    addDelivery: db.prepare<[DeliveryColumns]>(
      `INSERT INTO notice_deliveries (notice_id, owner_id, read_at, doc)
         VALUES (@notice_id, @owner_id, @read_at, @doc)
         ON CONFLICT (notice_id, owner_id) DO NOTHING`,
    ),
    saveDelivery: db.prepare<[DeliveryColumns]>(
      `INSERT INTO notice_deliveries (notice_id, owner_id, read_at, doc)
         VALUES (@notice_id, @owner_id, @read_at, @doc)
         ON CONFLICT (notice_id, owner_id) DO UPDATE SET read_at = excluded.read_at, doc = excluded.doc`,
    ),
    getDelivery: db
      .prepare<[string, string], string>('SELECT doc FROM notice_deliveries WHERE notice_id = ? AND owner_id = ?')
      .pluck(),
    countDeliveries: db.prepare<[string], { sent: number; read: number }>(
      `SELECT count(*) AS sent, count(read_at) AS read FROM notice_deliveries WHERE notice_id = ?`,
    ),
  };

  return {
    createNotice(notice) {
      s.insert.run(noticeColumns(notice));
    },

    saveNotice(notice) {
      s.upsert.run(noticeColumns(notice));
    },

    getNotice(id) {
      const doc = s.get.get(id);
      return doc === undefined ? undefined : noticeFromDoc(doc);
    },

    listNotices(filter = {}) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (filter.statuses !== undefined) {
        if (filter.statuses.length === 0) return [];
        where.push(`status IN (${placeholders(filter.statuses.length)})`);
        params.push(...filter.statuses);
      }
      if (filter.activeAt !== undefined) {
        where.push(`status = 'published' AND valid_to > ?`);
        params.push(ms(filter.activeAt));
      }
      const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      params.push(Math.max(0, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
      return cache
        .pluck<string>(`SELECT doc FROM notices ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`)
        .all(...params)
        .map(noticeFromDoc);
    },

    addNoticeDelivery(delivery) {
      return s.addDelivery.run(deliveryColumns(delivery)).changes === 1;
    },

    getNoticeDelivery(noticeId, ownerId) {
      const doc = s.getDelivery.get(noticeId, ownerId);
      return doc === undefined ? undefined : deliveryFromDoc(doc);
    },

    saveNoticeDelivery(delivery) {
      s.saveDelivery.run(deliveryColumns(delivery));
    },

    listNoticeDeliveries(noticeId, filter = {}) {
      const where = ['notice_id = ?'];
      const params: (string | number)[] = [noticeId];
      if (filter.unread) where.push('read_at IS NULL');
      if (filter.afterOwnerId !== undefined) {
        where.push('owner_id > ?');
        params.push(filter.afterOwnerId);
      }
      params.push(Math.max(0, Math.floor(filter.limit ?? DEFAULT_LIMIT)));
      return cache
        .pluck<string>(`SELECT doc FROM notice_deliveries WHERE ${where.join(' AND ')} ORDER BY owner_id LIMIT ?`)
        .all(...params)
        .map(deliveryFromDoc);
    },

    countNoticeDeliveries(noticeId) {
      return s.countDeliveries.get(noticeId) ?? { sent: 0, read: 0 };
    },
  };
}
