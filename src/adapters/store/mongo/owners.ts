/** Owners in MongoDB: one document each, identities as unique keys. */
import { type OwnerStore, StoreError } from '../../../core/ports.js';
import type { Channel, Owner } from '../../../core/types.js';
import { identityKey, type OwnerDoc, ownerFromDoc, ownerToDoc } from './mapping.js';
import { MongoOps } from './transactions.js';

export class MongoOwners extends MongoOps implements OwnerStore {
  async getOwner(id: string): Promise<Owner | undefined> {
    const doc = await this.m.owners.findOne({ id }, null, this.o).lean<OwnerDoc>();
    return doc ? ownerFromDoc(doc) : undefined;
  }

  async findOwnerByIdentity(channel: Channel, userId: string): Promise<Owner | undefined> {
    const doc = await this.m.owners
      .findOne({ identityKeys: identityKey(channel, userId) }, null, this.o)
      .lean<OwnerDoc>();
    return doc ? ownerFromDoc(doc) : undefined;
  }

  async saveOwner(owner: Owner): Promise<void> {
    const doc = ownerToDoc(owner);
    // Checked first so that a refusal inside a transaction does not abort it; the unique index decides races.
    if (doc.identityKeys) {
      const clash = await this.m.owners
        .findOne({ identityKeys: { $in: doc.identityKeys }, id: { $ne: owner.id } }, { id: 1 }, this.o)
        .lean();
      if (clash) throw new StoreError('STORE_CONFLICT', 'saveOwner: an identity belongs to another owner');
    }
    await this.m.owners.replaceOne({ id: owner.id }, doc, { upsert: true, runValidators: true, ...this.o });
  }

  async listOwners(): Promise<Owner[]> {
    const docs = await this.m.owners.find({}, null, this.o).sort({ createdAt: 1, id: 1 }).lean<OwnerDoc[]>();
    return docs.map(ownerFromDoc);
  }

  async listOwnersAfter(afterId: string | undefined, limit: number): Promise<Owner[]> {
    const docs = await this.m.owners
      .find(afterId === undefined ? {} : { id: { $gt: afterId } }, null, this.o)
      .sort({ id: 1 })
      .limit(Math.max(1, Math.floor(limit)))
      .lean<OwnerDoc[]>();
    return docs.map(ownerFromDoc);
  }

  async findOwnersByPhone(phone: string): Promise<Owner[]> {
    const docs = await this.m.owners.find({ phone }, null, this.o).sort({ createdAt: 1, id: 1 }).lean<OwnerDoc[]>();
    return docs.map(ownerFromDoc);
  }
}
