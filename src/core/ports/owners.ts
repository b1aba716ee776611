import type { Channel, Owner } from '../types.js';

/** Owners and their identities on each channel. */
export interface OwnerStore {
  getOwner(id: string): Promise<Owner | undefined>;
  findOwnerByIdentity(channel: Channel, userId: string): Promise<Owner | undefined>;
  /** Inserts or replaces the owner (identities are unique per channel and user id). */
  saveOwner(owner: Owner): Promise<void>;
  listOwners(): Promise<Owner[]>;
  /**
   * One page of owners by id: those after `afterId` (from the first when left out), at most `limit`.
   * A broadcast reads owners this way, page by page, so its memory stays flat whatever their number.
   */
  listOwnersAfter(afterId: string | undefined, limit: number): Promise<Owner[]>;
  /** The owners whose phone number is exactly `phone`, oldest first (createdAt, then id); indexed. */
  findOwnersByPhone(phone: string): Promise<Owner[]>;
}
