/**
 * A staff member's pending answer to an enquiry: the 💬 回答 button under a 咨询 item opens it, and their
 * next message in the staff room is the answer (telegraf scenes' `{ current, expires, state }`, as the
 * desk's own sessions in desk/session.ts). Checked on every read: an expired or unreadable session is
 * cleared and ignored, and one the desk's session replaced (a card button pressed after 回答) gives way.
 */
import { z } from 'zod';
import type { SettingStore } from '../../core/ports.js';
import { SESSION_TTL_MS } from '../desk/session.js';

type SessionStore = Pick<SettingStore, 'getSetting' | 'setSetting'>;

export interface AnswerSession {
  current: 'enquiry.answer';
  expires: Date;
  state: { id: string };
}

const STORED = z.object({
  current: z.literal('enquiry.answer'),
  expires: z.iso.datetime(),
  state: z.object({ id: z.string().regex(/^Q\d{3,9}$/) }),
});
/** The desk's session, read only for its expiry: the later of the two is the staff member's intent. */
const DESK = z.object({ expires: z.iso.datetime() });

const key = (staffId: string) => `enquiry-input:${staffId}`;
const deskKey = (staffId: string) => `desk-input:${staffId}`;

export class AnswerSessions {
  constructor(
    private readonly now: () => Date,
    private readonly ttlMs = SESSION_TTL_MS,
  ) {}

  async open(tx: SessionStore, staffId: string, id: string): Promise<void> {
    const expires = new Date(this.now().getTime() + this.ttlMs).toISOString();
    await tx.setSetting(key(staffId), JSON.stringify({ current: 'enquiry.answer', expires, state: { id } }));
  }

  /** The running session, left in place; undefined (and cleared) when expired, unreadable or superseded. */
  async read(tx: SessionStore, staffId: string): Promise<AnswerSession | undefined> {
    const raw = await tx.getSetting(key(staffId));
    if (!raw) return undefined;
    const session = parse(raw);
    const desk = parseDesk(await tx.getSetting(deskKey(staffId)));
    const live =
      session &&
      session.expires.getTime() >= this.now().getTime() &&
      !(desk && desk.getTime() > session.expires.getTime());
    if (live) return session;
    await tx.setSetting(key(staffId), '');
    return undefined;
  }

  async end(tx: SessionStore, staffId: string): Promise<void> {
    if (await tx.getSetting(key(staffId))) await tx.setSetting(key(staffId), '');
  }
}

function parse(raw: string): AnswerSession | undefined {
  try {
    const stored = STORED.safeParse(JSON.parse(raw));
    return stored.success ? { ...stored.data, expires: new Date(stored.data.expires) } : undefined;
  } catch {
    return undefined;
  }
}

function parseDesk(raw: string | undefined): Date | undefined {
  if (!raw) return undefined;
  try {
    const stored = DESK.safeParse(JSON.parse(raw));
    return stored.success ? new Date(stored.data.expires) : undefined;
  } catch {
    return undefined;
  }
}
