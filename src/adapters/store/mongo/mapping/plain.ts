/**
 * Documents stored as they are, with no mapping of their own: processed inbound message ids, named
 * counters, settings and praise.
 */

import type { Channel } from '../../../../core/types.js';

export interface InboundDoc {
  channel: Channel;
  messageId: string;
  at: Date;
}

export interface CounterDoc {
  name: string;
  value: number;
}

export interface SettingDoc {
  key: string;
  value: string;
}

/** Praise: the port's object as it is (instants as dates). */
export interface PraiseDoc {
  id: string;
  ownerId: string;
  channel: Channel;
  text: string;
  team: string;
  staff?: { id: string; name: string };
  place?: string;
  at: Date;
}
