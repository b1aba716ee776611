/** Praise owners give the service centre's staff (表扬): recorded against the person or team named. */
import type { Channel } from '../types.js';
import type { Period } from './tickets.js';

/** The teams praise can name; `all` when the owner names none (thanks to everyone). */
export const PRAISE_TEAMS = ['cleaning', 'security', 'greening', 'engineering', 'service', 'all'] as const;
export type PraiseTeam = (typeof PRAISE_TEAMS)[number];

export interface Praise {
  id: string;
  ownerId: string;
  /** The channel the owner wrote on. */
  channel: Channel;
  /** The owner's words, as written. */
  text: string;
  team: PraiseTeam;
  /** The staff member named in the words, when one is. */
  staff?: { id: string; name: string };
  /** The place the words name (3栋), as shown to staff. */
  place?: string;
  at: Date;
}

/** How much praise a period holds, in total and per team. */
export interface PraiseCounts {
  total: number;
  byTeam: Partial<Record<PraiseTeam, number>>;
}

export interface PraiseStore {
  /** Records praise; a second call with the same id changes nothing. */
  addPraise(praise: Praise): Promise<void>;
  /** The praise given in `period` (from inclusive, to exclusive), newest first, at most `limit` (default 100). */
  listPraise(period: Period, limit?: number): Promise<Praise[]>;
  /** The praise given in `period`, counted in total and per team. */
  countPraise(period: Period): Promise<PraiseCounts>;
}
