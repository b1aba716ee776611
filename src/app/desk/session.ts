/**
 * A staff member's session with the desk: a button that needs words (💬 reply, ✅ resolve …) opens one,
 * and their next message is taken as those words. The shape is telegraf scenes' `{ current, expires,
 * state }`: what is waiting, until when, and about which ticket. Stored per staff member, checked on every
 * read: an expired or unreadable session is cleared and ignored, never acted on.
 */
import { z } from 'zod';
import type { SettingStore } from '../../core/ports.js';
import type { StaffAction } from '../render.js';

/** How long a button waits for its words. */
export const SESSION_TTL_MS = 15 * 60_000;

/** The actions whose button asks for text first. */
export const TEXT_ACTIONS = [
  'reject',
  'reply',
  'plan',
  'schedule',
  'resolve',
] as const satisfies readonly StaffAction[];
export type TextAction = (typeof TEXT_ACTIONS)[number];

export function needsText(action: StaffAction): action is TextAction {
  return (TEXT_ACTIONS as readonly string[]).includes(action);
}

/** What a staff member's next message is for. */
export interface StaffSession {
  /** The action waiting for its words. */
  current: TextAction;
  /** When the wait ends; a session read after it is gone. */
  expires: Date;
  state: { number: string };
}

const STORED = z.object({
  current: z.enum(TEXT_ACTIONS),
  expires: z.iso.datetime(),
  state: z.object({ number: z.string().min(1) }),
});
/** What the desk stored before sessions: `{ action, number, at }` (the press), 15 minutes to live. */
const LEGACY = z.object({ action: z.enum(TEXT_ACTIONS), number: z.string().min(1), at: z.iso.datetime() });

type SessionStore = Pick<SettingStore, 'getSetting' | 'setSetting'>;

/** The staff sessions, kept in the caller's transaction. */
export class StaffSessions {
  constructor(
    private readonly now: () => Date,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  /** Opens (or replaces) the staff member's session: their next message is the words `current` needs. */
  async open(tx: SessionStore, staffId: string, current: TextAction, number: string): Promise<StaffSession> {
    const session: StaffSession = {
      current,
      expires: new Date(this.now().getTime() + this.ttlMs),
      state: { number },
    };
    const stored: z.infer<typeof STORED> = { ...session, expires: session.expires.toISOString() };
    await tx.setSetting(key(staffId), JSON.stringify(stored));
    return session;
  }

  /** The staff member's running session, left in place; an expired or unreadable one is cleared. */
  async read(tx: SessionStore, staffId: string): Promise<StaffSession | undefined> {
    const raw = await tx.getSetting(key(staffId));
    if (!raw) return undefined;
    const session = parse(raw, this.ttlMs);
    if (session && session.expires.getTime() >= this.now().getTime()) return session;
    await tx.setSetting(key(staffId), '');
    return undefined;
  }

  /** The running session, ended: its words have come. */
  async take(tx: SessionStore, staffId: string): Promise<StaffSession | undefined> {
    const session = await this.read(tx, staffId);
    if (session) await this.end(tx, staffId);
    return session;
  }

  /** Ends the session, if any (the staff member did something else). */
  async end(tx: SessionStore, staffId: string): Promise<void> {
    if (await tx.getSetting(key(staffId))) await tx.setSetting(key(staffId), '');
  }
}

function key(staffId: string): string {
  return `desk-input:${staffId}`;
}

function parse(raw: string, ttlMs: number): StaffSession | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const stored = STORED.safeParse(json);
  if (stored.success) return { ...stored.data, expires: new Date(stored.data.expires) };
  const legacy = LEGACY.safeParse(json);
  if (!legacy.success) return undefined;
  const { action, number, at } = legacy.data;
  return { current: action, expires: new Date(new Date(at).getTime() + ttlMs), state: { number } };
}
