/**
 * The file store in MongoDB, whole in this module: its collection, schema and index, and the operations
 * (one document per file, the bytes as BinData; a chart is tens of kilobytes, a month's workbook a few
 * megabytes, well under MongoDB's 16 MB per document). The store registers the model beside the others
 * (store.ts) and creates the collection at start-up, so a transaction never creates it implicitly.
 * Retention keeps the files a pending or sending outbox item names (`action.message.attachments.fileId`).
 */
import { type ClientSession, type Connection, type Model, Schema } from 'mongoose';
import type { FileStore, StoredFile } from '../../../core/ports.js';
import type { IndexDefinition } from './indexes.js';
import { type Models, OPTIONS } from './schemas.js';
import { upsert } from './transactions.js';

/** The collection (and the SQLite table of the same name). */
export const FILES_COLLECTION = 'outbox_files';

interface FileDoc {
  id: string;
  name: string;
  mime: string;
  bytes: Buffer;
  createdAt: Date;
}

const fileSchema = new Schema<FileDoc>(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
    mime: { type: String, required: true },
    bytes: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
  },
  OPTIONS,
);

export const FILE_INDEXES: readonly IndexDefinition[] = [
  { key: { id: 1 }, name: 'outbox_files_id', unique: true },
  // pruneFiles: the oldest first.
  { key: { createdAt: 1 }, name: 'outbox_files_created' },
];
for (const { key, ...options } of FILE_INDEXES) fileSchema.index(key, options);

/** Compiles the model on `connection` (a second call returns the same model). */
export function registerFileModel(connection: Connection): Model<FileDoc> {
  const name = 'residesk.files';
  return (
    (connection.models[name] as Model<FileDoc> | undefined) ??
    connection.model<FileDoc>(name, fileSchema, FILES_COLLECTION)
  );
}

function fromDoc(doc: FileDoc): StoredFile {
  const raw = doc.bytes as unknown as Buffer | { buffer: Uint8Array };
  const bytes = raw instanceof Uint8Array ? raw : raw.buffer;
  return {
    id: String(doc.id),
    name: String(doc.name),
    mime: String(doc.mime),
    bytes: new Uint8Array(bytes),
    createdAt: new Date(doc.createdAt),
  };
}

const ATTACHED = 'action.message.attachments.fileId';

export class MongoFiles implements FileStore {
  constructor(
    private readonly files: Model<FileDoc>,
    private readonly m: Pick<Models, 'outbox'>,
    private readonly session: ClientSession | undefined,
  ) {}

  private get o(): { session?: ClientSession } {
    return this.session ? { session: this.session } : {};
  }

  async saveFile(file: StoredFile): Promise<void> {
    const { id, ...rest } = file;
    const doc: Omit<FileDoc, 'id'> = {
      ...rest,
      bytes: Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength),
    };
    await upsert(this.session, () => this.files.updateOne({ id }, { $setOnInsert: doc }, { upsert: true, ...this.o }));
  }

  async getFiles(ids: readonly string[]): Promise<StoredFile[]> {
    if (ids.length === 0) return [];
    const docs = await this.files.find({ id: { $in: [...new Set(ids)] } }, null, this.o).lean<FileDoc[]>();
    return docs.map(fromDoc);
  }

  async deleteFiles(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.files.deleteMany({ id: { $in: [...new Set(ids)] } }, this.o);
    return result.deletedCount ?? 0;
  }

  async pruneFiles(before: Date, limit: number): Promise<number> {
    if (limit < 1) return 0; // MongoDB reads a limit of 0 as none
    // The files unsent items name are left out before the oldest `limit` are taken (as SQLite's does), so
    // a batch falls short only when nothing more is due: retention drains until it does.
    const named = await this.m.outbox
      .find({ status: { $in: ['pending', 'sending'] }, [ATTACHED]: { $exists: true } }, { [ATTACHED]: 1 }, this.o)
      .lean<{ action?: { message?: { attachments?: { fileId?: string }[] } } }[]>();
    const kept = named.flatMap((d) => (d.action?.message?.attachments ?? []).flatMap((a) => a.fileId ?? []));
    const old = await this.files
      .find({ createdAt: { $lt: before }, id: { $nin: kept } }, { id: 1 }, this.o)
      .sort({ createdAt: 1 })
      .limit(Math.floor(limit))
      .lean<Pick<FileDoc, 'id'>[]>();
    return this.deleteFiles(old.map((d) => d.id));
  }
}
