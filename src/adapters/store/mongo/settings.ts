/** Counters and settings in MongoDB. */
import type { SettingStore } from '../../../core/ports.js';
import type { SettingDoc } from './mapping.js';
import { bump, MongoOps, upsert } from './transactions.js';

export class MongoSettings extends MongoOps implements SettingStore {
  nextSequence(name: string): Promise<number> {
    return bump(this.m.counters, name, 1, this.session);
  }

  async getSetting(key: string): Promise<string | undefined> {
    const doc = await this.m.settings.findOne({ key }, null, this.o).lean<SettingDoc>();
    return doc?.value ?? undefined;
  }

  async setSetting(key: string, value: string): Promise<void> {
    await upsert(this.session, () =>
      this.m.settings.updateOne(
        { key },
        { $set: { value } satisfies Partial<SettingDoc> },
        { upsert: true, ...this.o },
      ),
    );
  }
}
