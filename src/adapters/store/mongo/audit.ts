/**
 * The audit log in MongoDB, whole in this module: its collection, schema and indexes, the mapping of an
 * entry to a document and back, and the operations. The store registers the model beside the others
 * (store.ts) and creates the collection and its indexes at start-up like every other collection's.
 * Append-only: the operations insert and, for retention only, delete the oldest; nothing updates.
 */
import { type ClientSession, type Connection, type Model, Schema } from 'mongoose';
import {
  AUDIT_ACTOR_KINDS,
  AUDIT_SUBJECT_KINDS,
  type AuditCursor,
  type AuditEntry,
  type AuditPage,
  type AuditQuery,
  type AuditStore,
  StoreError,
} from '../../../core/ports.js';
import { pageLimit } from '../shared/reports.js';
import type { IndexDefinition } from './indexes.js';
import { reviveDate, type Stored } from './mapping/revive.js';
import { OPTIONS, SUB } from './schemas.js';
import { upsert } from './transactions.js';

/** The collection (and the SQLite table of the same name). */
export const AUDIT_COLLECTION = 'audit_log';

/** An entry as stored: the port's object as it is (the instant as a date). */
export interface AuditDoc {
  id: string;
  at: Date;
  actor: { kind: string; id: string; name?: string; role?: string };
  action: string;
  via: string;
  subject?: { kind: string; id: string };
  detail?: Record<string, string | number | boolean>;
}

const requiredString = { type: String, required: true };

const auditSchema = new Schema<AuditDoc>(
  {
    id: requiredString,
    at: { type: Date, required: true },
    actor: {
      type: new Schema(
        {
          kind: { type: String, enum: AUDIT_ACTOR_KINDS, required: true },
          id: requiredString,
          name: String,
          role: String,
        },
        SUB,
      ),
      required: true,
    },
    action: requiredString,
    via: requiredString,
    subject: {
      type: new Schema({ kind: { type: String, enum: AUDIT_SUBJECT_KINDS, required: true }, id: requiredString }, SUB),
      required: false,
    },
    detail: { type: Schema.Types.Mixed },
  },
  OPTIONS,
);

/** Each index names the read it serves. */
export const AUDIT_INDEXES: readonly IndexDefinition[] = [
  { key: { id: 1 }, name: 'audit_id', unique: true },
  // listAudit by time (and the cursor), and pruneAudit's oldest first.
  { key: { at: 1, id: 1 }, name: 'audit_at' },
  // listAudit by actor.
  { key: { 'actor.id': 1, at: 1, id: 1 }, name: 'audit_actor' },
  // listAudit by ticket, campaign, notice or staff id.
  { key: { 'subject.id': 1, at: 1, id: 1 }, name: 'audit_subject', sparse: true },
];
for (const { key, ...options } of AUDIT_INDEXES) auditSchema.index(key, options);

/** Compiles the audit model on `connection` (a second call returns the same model). */
export function registerAuditModel(connection: Connection): Model<AuditDoc> {
  const name = 'residesk.audit';
  return (
    (connection.models[name] as Model<AuditDoc> | undefined) ??
    connection.model<AuditDoc>(name, auditSchema, AUDIT_COLLECTION)
  );
}

function toDoc(entry: AuditEntry): AuditDoc {
  const { actor, subject, detail, ...rest } = entry;
  return {
    ...rest,
    actor: { ...actor },
    ...(subject ? { subject: { ...subject } } : {}),
    ...(detail ? { detail: { ...detail } } : {}),
  };
}

function fromDoc(doc: Stored<AuditDoc>): AuditEntry {
  const actor = doc.actor;
  if (!actor || typeof doc.id !== 'string' || typeof doc.action !== 'string') {
    throw new StoreError('STORE_CORRUPT', 'an audit entry is missing its id, actor or action');
  }
  return {
    id: doc.id,
    at: reviveDate(doc.at, 'audit.at'),
    actor: {
      kind: actor.kind as AuditEntry['actor']['kind'],
      id: actor.id,
      ...(typeof actor.name === 'string' ? { name: actor.name } : {}),
      ...(typeof actor.role === 'string' ? { role: actor.role } : {}),
    },
    action: doc.action,
    via: String(doc.via),
    ...(doc.subject ? { subject: { kind: doc.subject.kind as never, id: doc.subject.id } } : {}),
    ...(doc.detail ? { detail: { ...doc.detail } } : {}),
  };
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function filterOf(query: AuditQuery, after: AuditCursor | undefined): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (query.since || query.until)
    and.push({ at: { ...(query.since ? { $gte: query.since } : {}), ...(query.until ? { $lt: query.until } : {}) } });
  if (query.actorId !== undefined) and.push({ 'actor.id': query.actorId });
  if (query.subjectId !== undefined) and.push({ 'subject.id': query.subjectId });
  if (query.action !== undefined)
    and.push({ $or: [{ action: query.action }, { action: { $regex: `^${escapeRegex(`${query.action}.`)}` } }] });
  if (after) and.push({ $or: [{ at: { $gt: after.at } }, { at: after.at, id: { $gt: after.id } }] });
  return and.length ? { $and: and } : {};
}

export class MongoAudit implements AuditStore {
  constructor(
    private readonly model: Model<AuditDoc>,
    private readonly session: ClientSession | undefined,
  ) {}

  private get o(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    const { id, ...rest } = toDoc(entry);
    await upsert(this.session, () =>
      this.model.updateOne({ id }, { $setOnInsert: rest }, { upsert: true, runValidators: true, ...this.o }),
    );
  }

  async listAudit(query: AuditQuery, page: { after?: AuditCursor; limit?: number } = {}): Promise<AuditPage> {
    const limit = pageLimit(page.limit);
    const docs = await this.model
      .find(filterOf(query, page.after), null, this.o)
      .sort({ at: 1, id: 1 })
      .limit(limit + 1)
      .lean<Stored<AuditDoc>[]>();
    const entries = docs.slice(0, limit).map(fromDoc);
    const last = entries[entries.length - 1];
    return docs.length > limit && last ? { entries, next: { at: last.at, id: last.id } } : { entries };
  }

  async pruneAudit(before: Date, limit: number): Promise<number> {
    if (limit < 1) return 0; // MongoDB reads a limit of 0 as none
    const oldest = await this.model
      .find({ at: { $lt: before } }, { id: 1 }, this.o)
      .sort({ at: 1, id: 1 })
      .limit(Math.floor(limit))
      .lean<{ id: string }[]>();
    if (oldest.length === 0) return 0;
    const result = await this.model.deleteMany({ id: { $in: oldest.map((d) => d.id) } }, this.o);
    return result.deletedCount ?? 0;
  }
}
