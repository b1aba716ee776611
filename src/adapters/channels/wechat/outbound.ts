/**
 * The pure half of the WeChat channel's sending side: puppet errors as Delivery values. Messages as text
 * (personal WeChat has no buttons), long texts split and photo references checked are shared with the
 * Service Account channel (../shared/plain-text.ts) and re-exported here for this channel's callers.
 */
import type { Delivery } from '../../../core/ports/channels.js';

export {
  bareLabel,
  localPhotoPath,
  MAX_TEXT,
  renderText,
  splitText,
  staffCommandLine,
} from '../shared/plain-text.js';

// ── errors ──────────────────────────────────────────────────────────────────

/** The chat cannot be reached: not (or no longer) a friend, blocked, gone, or the bot left the room. */
const UNREACHABLE =
  /not\s+(?:a\s+|your\s+|his\s+|her\s+)?friends?\b|non-?friend|blocked|black\s*list|拉黑|黑名单|拒收|不是.{0,8}(?:好友|朋友)|非好友|(?:好友|朋友)验证|contact\b[^\n]{0,40}\b(?:not\s+(?:found|exist)|does\s+not\s+exist)|\bnot\s+exist|no\s+such\s+(?:contact|user|room)|removed\s+from|not\s+(?:a\s+)?member|不在群|被移出|已退出群/i;
/** Trying again cannot help: the puppet does not do this, or the content is refused. */
const REJECTED =
  /unsupported|not\s+support|too\s+large|too\s+long|file\s+size|invalid\s+(?:file|argument|param)|不支持|内容违规|敏感/i;

/**
 * What a failed puppet call means for the outbox. Puppets throw plain errors, so this reads the message:
 * not a friend, blocked, no such contact or room → unreachable; an unsupported call or refused content →
 * rejected; anything else (timeouts, network, a puppet restarting) → transient. Secrets and URLs are
 * taken out of the reason.
 */
export function classifyError(error: unknown, secrets: readonly string[] = []): Delivery {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const reason = clean(
    `${name}${typeof code === 'string' || typeof code === 'number' ? ` ${code}` : ''}: ${message}`,
    secrets,
  );
  if (/not\s+logged\s+in|login\s+required|未登录/i.test(message)) {
    return { status: 'rate_limited', retryAfterMs: 15_000, reason, scope: 'channel' };
  }
  if (UNREACHABLE.test(message)) return { status: 'unreachable', reason };
  if (REJECTED.test(message)) return { status: 'rejected', reason };
  return { status: 'transient', reason };
}

/** A reason fit for logs: secrets redacted, URLs (which may carry tokens) replaced, one line, short. */
export function clean(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out
    .replace(/https?:\/\/\S+/g, '<url>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}
