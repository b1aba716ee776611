/** Staff in MongoDB: one document each, unique by channel and user id. */
import { type StaffStore, StoreError } from '../../../core/ports.js';
import type { Channel, Staff } from '../../../core/types.js';
import { type StaffDoc, staffFromDoc, staffToDoc } from './mapping.js';
import { MongoOps } from './transactions.js';

export class MongoStaff extends MongoOps implements StaffStore {
  async getStaff(id: string): Promise<Staff | undefined> {
    const doc = await this.m.staff.findOne({ id }, null, this.o).lean<StaffDoc>();
    return doc ? staffFromDoc(doc) : undefined;
  }

  async findStaff(channel: Channel, userId: string): Promise<Staff | undefined> {
    const doc = await this.m.staff.findOne({ channel, userId }, null, this.o).lean<StaffDoc>();
    return doc ? staffFromDoc(doc) : undefined;
  }

  async saveStaff(staff: Staff): Promise<void> {
    const clash = await this.m.staff
      .findOne({ channel: staff.channel, userId: staff.userId, id: { $ne: staff.id } }, { id: 1 }, this.o)
      .lean();
    if (clash) throw new StoreError('STORE_CONFLICT', 'saveStaff: the identity belongs to another staff member');
    await this.m.staff.replaceOne({ id: staff.id }, staffToDoc(staff), {
      upsert: true,
      runValidators: true,
      ...this.o,
    });
  }

  async listStaff(): Promise<Staff[]> {
    const docs = await this.m.staff.find({}, null, this.o).sort({ id: 1 }).lean<StaffDoc[]>();
    return docs.map(staffFromDoc);
  }
}
