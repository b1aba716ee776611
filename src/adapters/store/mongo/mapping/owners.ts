/**
 * Owners and staff ↔ their documents. An owner's document also carries `identityKeys`, one
 * `channel:userId` per identity: what the unique index and the lookup by identity use.
 */

import type { Channel, Owner, Staff } from '../../../../core/types.js';
import { need, put, reviveDate, type Stored } from './revive.js';

export interface OwnerDoc {
  id: string;
  identities: { channel: Channel; userId: string; chatId: string }[];
  /** `channel:userId` of every identity, deduplicated: what the unique index and the lookup use. Absent when empty. */
  identityKeys?: string[];
  name?: string;
  phone?: string;
  units: string[];
  qrBuilding?: { estate: string; building: string };
  locale: Owner['locale'];
  privacyNoticeShown: boolean;
  unreachable: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type StaffDoc = Staff;

/** The key an identity is found and kept unique by. Channels never contain `:`. */
export function identityKey(channel: Channel, userId: string): string {
  return `${channel}:${userId}`;
}

export function ownerToDoc(owner: Owner): OwnerDoc {
  const identities = owner.identities.map(({ channel, userId, chatId }) => ({ channel, userId, chatId }));
  const keys = [...new Set(identities.map((i) => identityKey(i.channel, i.userId)))];
  const doc: OwnerDoc = {
    id: owner.id,
    identities,
    units: [...owner.units],
    locale: owner.locale,
    privacyNoticeShown: owner.privacyNoticeShown,
    unreachable: owner.unreachable,
    createdAt: new Date(owner.createdAt.getTime()),
    updatedAt: new Date(owner.updatedAt.getTime()),
  };
  if (keys.length > 0) doc.identityKeys = keys;
  put(doc, 'name', owner.name);
  put(doc, 'phone', owner.phone);
  if (owner.qrBuilding) doc.qrBuilding = { estate: owner.qrBuilding.estate, building: owner.qrBuilding.building };
  return doc;
}

export function ownerFromDoc(doc: Stored<OwnerDoc>): Owner {
  const owner: Owner = {
    id: need(doc.id, 'owner.id'),
    identities: need(doc.identities, 'owner.identities').map((i) => ({
      channel: i.channel,
      userId: i.userId,
      chatId: i.chatId,
    })),
    units: [...need(doc.units, 'owner.units')],
    locale: need(doc.locale, 'owner.locale'),
    privacyNoticeShown: need(doc.privacyNoticeShown, 'owner.privacyNoticeShown'),
    unreachable: need(doc.unreachable, 'owner.unreachable'),
    createdAt: reviveDate(doc.createdAt, 'owner.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'owner.updatedAt'),
  };
  put(owner, 'name', doc.name);
  put(owner, 'phone', doc.phone);
  if (doc.qrBuilding) owner.qrBuilding = { estate: doc.qrBuilding.estate, building: doc.qrBuilding.building };
  return owner;
}

export function staffToDoc(staff: Staff): StaffDoc {
  return {
    id: staff.id,
    channel: staff.channel,
    userId: staff.userId,
    displayName: staff.displayName,
    role: staff.role,
    active: staff.active,
  };
}

export function staffFromDoc(doc: Stored<StaffDoc>): Staff {
  return {
    id: need(doc.id, 'staff.id'),
    channel: need(doc.channel, 'staff.channel'),
    userId: need(doc.userId, 'staff.userId'),
    displayName: need(doc.displayName, 'staff.displayName'),
    role: need(doc.role, 'staff.role'),
    active: need(doc.active, 'staff.active'),
  };
}
