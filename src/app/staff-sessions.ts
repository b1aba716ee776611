/**
 * A staff member's guided conversation in progress (drafting a notice, a ticket taken by phone …) is kept
 * as a setting under its own key, with an expiry, so it survives a restart and runs in the caller's
 * transaction. This reads one back: the session when it parses and has not expired; otherwise the setting
 * is cleared (an expired session, or one written by a release that stored another shape) and nothing is
 * returned.
 */
import type { z } from 'zod';
import type { SettingStore } from '../core/ports.js';

export async function readStaffSession<S extends { expires: string }>(
  tx: Pick<SettingStore, 'getSetting' | 'setSetting'>,
  key: string,
  schema: z.ZodType<S>,
  now: Date,
): Promise<S | undefined> {
  const raw = await tx.getSetting(key);
  if (!raw) return undefined;
  let parsed: S | undefined;
  try {
    const result = schema.safeParse(JSON.parse(raw));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed && new Date(parsed.expires).getTime() >= now.getTime()) return parsed;
  await tx.setSetting(key, '');
  return undefined;
}
