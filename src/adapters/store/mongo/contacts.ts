/**
 * Contact records in MongoDB (planned contact with owners, the committee, contractors, offices), and the
 * ticket's `source` field (代客登记). Both are kept out of schemas.ts, which holds the collections every
 * release had: the contacts collection has its own schema, model, indexes and start-up creation here, and
 * the source is added to the ticket schema before its model is compiled.
 */
import { type ClientSession, type Connection, type Model, Schema } from 'mongoose';
import {
  CONTACT_KINDS,
  CONTACT_PARTIES,
  type ContactQuery,
  type ContactRecord,
  type ContactStore,
} from '../../../core/ports.js';
import { TICKET_SOURCES } from '../../../core/types.js';
import { OPTIONS, SUB, ticketSchema } from './schemas.js';
import { isDuplicateKey, upsert } from './transactions.js';

/** The collection (and the SQLite table of the same records). */
export const CONTACTS_COLLECTION = 'contacts';

type ContactDoc = ContactRecord;

/** The indexes listContacts uses: by time (a month), and by owner, phone or name, newest first. */
export const CONTACT_INDEXES = [
  { key: { id: 1 }, name: 'contacts_id', unique: true },
  { key: { at: -1, id: -1 }, name: 'contacts_at' },
  { key: { ownerId: 1, at: -1 }, name: 'contacts_owner', sparse: true },
  { key: { phone: 1, at: -1 }, name: 'contacts_phone', sparse: true },
  { key: { who: 1, at: -1 }, name: 'contacts_who' },
] as const;

const requiredString = { type: String, required: true };
const requiredDate = { type: Date, required: true };

const contactSchema = new Schema<ContactDoc>(
  {
    id: requiredString,
    kind: { type: String, enum: CONTACT_KINDS, required: true },
    at: requiredDate,
    place: String,
    party: { type: String, enum: CONTACT_PARTIES, required: true },
    who: requiredString,
    ownerId: String,
    phone: String,
    staff: {
      type: new Schema({ id: requiredString, name: requiredString }, SUB),
      required: true,
    },
    said: requiredString,
    result: String,
    recordedAt: requiredDate,
  },
  OPTIONS,
);

/**
 * Adds `source` to the ticket schema (once; before any ticket model is compiled). A ticket document
 * without one came through the chat.
 */
export function addTicketSource(): void {
  if (!ticketSchema.path('source')) ticketSchema.add({ source: { type: String, enum: TICKET_SOURCES } });
}

/** Compiles the contacts model on `connection` (a second call returns the same model). */
export function registerContactModel(connection: Connection): Model<ContactDoc> {
  const name = 'residesk.contacts';
  return (
    (connection.models[name] as Model<ContactDoc> | undefined) ??
    connection.model<ContactDoc>(name, contactSchema, CONTACTS_COLLECTION)
  );
}

function fromDoc(doc: ContactDoc): ContactRecord {
  return {
    id: String(doc.id),
    kind: doc.kind,
    at: new Date(doc.at),
    ...(typeof doc.place === 'string' ? { place: doc.place } : {}),
    party: doc.party,
    who: String(doc.who),
    ...(typeof doc.ownerId === 'string' ? { ownerId: doc.ownerId } : {}),
    ...(typeof doc.phone === 'string' ? { phone: doc.phone } : {}),
    staff: { id: doc.staff.id, name: doc.staff.name },
    said: String(doc.said),
    ...(typeof doc.result === 'string' ? { result: doc.result } : {}),
    recordedAt: new Date(doc.recordedAt),
  };
}

/** The contact records, on a transaction's session or none. */
export class MongoContacts implements ContactStore {
  constructor(
    private readonly model: Model<ContactDoc>,
    private readonly session: ClientSession | undefined,
  ) {}

  private get o(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }

  async addContact(record: ContactRecord): Promise<void> {
    const { id, ...rest } = record;
    try {
      await upsert(this.session, () =>
        this.model.updateOne({ id }, { $setOnInsert: rest }, { upsert: true, runValidators: true, ...this.o }),
      );
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }

  async listContacts(query: ContactQuery): Promise<ContactRecord[]> {
    const filter: Record<string, unknown> = {};
    if (query.period) filter.at = { $gte: query.period.from, $lt: query.period.to };
    if (query.ownerId !== undefined) filter.ownerId = query.ownerId;
    if (query.phone !== undefined) filter.phone = query.phone;
    if (query.who !== undefined) filter.who = query.who;
    const limit = Math.max(0, Math.floor(query.limit ?? 50));
    if (limit === 0) return [];
    const docs = await this.model.find(filter, null, this.o).sort({ at: -1, id: -1 }).limit(limit).lean<ContactDoc[]>();
    return docs.map(fromDoc);
  }
}
