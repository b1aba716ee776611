/** Owners in SQLite: a JSON document, the phone as an indexed column, identities in their own table. */
import type Database from 'better-sqlite3';
import type { OwnerStore } from '../../../core/ports.js';
import type { Channel, Owner } from '../../../core/types.js';
import type { Sync } from '../shared/methods.js';
import { iso, ms, parseJson, reviveDate } from './rows.js';

type OwnerDoc = Omit<Owner, 'createdAt' | 'updatedAt'> & { createdAt: string; updatedAt: string };

function ownerToDoc(owner: Owner): OwnerDoc {
  return { ...owner, createdAt: iso(owner.createdAt), updatedAt: iso(owner.updatedAt) };
}

function ownerFromDoc(text: string): Owner {
  const doc = parseJson<OwnerDoc>(text, 'owner');
  return {
    ...doc,
    createdAt: reviveDate(doc.createdAt, 'owner.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'owner.updatedAt'),
  };
}

const identityKey = (channel: string, userId: string) => JSON.stringify([channel, userId]);

export function ownerOps(db: Database.Database): Sync<OwnerStore> {
  const doc = (sql: string) => db.prepare<[string], string>(sql).pluck();
  const s = {
    getOwner: doc('SELECT doc FROM owners WHERE id = ?'),
    findOwnerByIdentity: db
      .prepare<[Channel, string], string>(
        `SELECT o.doc FROM owner_identities i JOIN owners o ON o.id = i.owner_id
           WHERE i.channel = ? AND i.user_id = ?`,
      )
      .pluck(),
    upsertOwner: db.prepare<
      [{ id: string; created_at: number; updated_at: number; phone: string | null; doc: string }]
    >(
      `INSERT INTO owners (id, created_at, updated_at, phone, doc) VALUES (@id, @created_at, @updated_at, @phone, @doc)
         ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at, updated_at = excluded.updated_at,
           phone = excluded.phone, doc = excluded.doc`,
    ),
    identitiesOf: db.prepare<[string], { channel: Channel; user_id: string }>(
      'SELECT channel, user_id FROM owner_identities WHERE owner_id = ?',
    ),
    clearIdentities: db.prepare<[string]>('DELETE FROM owner_identities WHERE owner_id = ?'),
    addIdentity: db.prepare<[Channel, string, string]>(
      'INSERT INTO owner_identities (channel, user_id, owner_id) VALUES (?, ?, ?)',
    ),
    listOwners: db.prepare<[], string>('SELECT doc FROM owners ORDER BY created_at, id').pluck(),
    // The primary key: a page starts where the last one ended, without counting the owners before it.
    ownersAfter: db
      .prepare<[string, number], string>('SELECT doc FROM owners WHERE id > ? ORDER BY id LIMIT ?')
      .pluck(),
    findOwnersByPhone: doc('SELECT doc FROM owners WHERE phone = ? ORDER BY created_at, id'),
  };

  return {
    getOwner(id) {
      const found = s.getOwner.get(id);
      return found === undefined ? undefined : ownerFromDoc(found);
    },

    findOwnerByIdentity(channel, userId) {
      const found = s.findOwnerByIdentity.get(channel, userId);
      return found === undefined ? undefined : ownerFromDoc(found);
    },

    saveOwner(owner) {
      s.upsertOwner.run({
        id: owner.id,
        created_at: ms(owner.createdAt),
        updated_at: ms(owner.updatedAt),
        phone: owner.phone ?? null,
        doc: JSON.stringify(ownerToDoc(owner)),
      });
      const wanted = new Map<string, Owner['identities'][number]>();
      for (const identity of owner.identities) {
        const key = identityKey(identity.channel, identity.userId);
        if (!wanted.has(key)) wanted.set(key, identity);
      }
      // Most saves change a name, a phone or a flag, not the identities: those rows are then left as they are.
      const stored = s.identitiesOf.all(owner.id);
      if (stored.length === wanted.size && stored.every((row) => wanted.has(identityKey(row.channel, row.user_id)))) {
        return;
      }
      s.clearIdentities.run(owner.id);
      for (const identity of wanted.values()) s.addIdentity.run(identity.channel, identity.userId, owner.id);
    },

    listOwners() {
      return s.listOwners.all().map(ownerFromDoc);
    },

    listOwnersAfter(afterId, limit) {
      return s.ownersAfter.all(afterId ?? '', Math.max(1, Math.floor(limit))).map(ownerFromDoc);
    },

    findOwnersByPhone(phone) {
      return s.findOwnersByPhone.all(phone).map(ownerFromDoc);
    },
  };
}
