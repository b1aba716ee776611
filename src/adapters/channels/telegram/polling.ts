/**
 * Receiving Telegram updates by long polling: deleteWebhook at start, then getUpdates in a loop whose
 * offset moves past an update only once it has been recorded, so an update is never lost. Failures of
 * getUpdates back off (or wait out a 429) and name the likely cause; stopping confirms what was handled.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ChannelContext } from './context.js';
import { ALLOWED_UPDATES, isUpdate, type TgUpdate } from './inbound.js';
import { classifyError, reasonOf } from './outbound.js';
import { TelegramStartupError } from './startup.js';

/** A running poll loop. */
export interface Polling {
  /** Ends the loop (after the update in hand) and confirms what was handled. */
  stop(): Promise<void>;
}

/** Switches Telegram to long polling (deleteWebhook) and starts the loop; `handle` runs each update. */
export async function startPolling(ctx: ChannelContext, handle: (update: TgUpdate) => Promise<void>): Promise<Polling> {
  try {
    await ctx.call('deleteWebhook', { drop_pending_updates: false }, 15_000);
  } catch (error) {
    const failure = classifyError(error, [ctx.o.config.token]);
    throw new TelegramStartupError(
      'TELEGRAM_POLLING_FAILED',
      `could not switch Telegram to long polling: deleteWebhook failed (${reasonOf(failure)})`,
    );
  }
  const abort = new AbortController();
  const loop = pollLoop(ctx, handle, abort.signal);
  return {
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

/** getUpdates in a loop; the offset moves past an update only once it has been recorded. */
async function pollLoop(
  ctx: ChannelContext,
  handle: (update: TgUpdate) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const { o } = ctx;
  const timeout = o.pollTimeoutSec ?? 50;
  let offset = 0;
  let failures = 0;
  while (!signal.aborted) {
    let updates: unknown[];
    const asked = Date.now();
    try {
      const result = await ctx.api.call(
        'getUpdates',
        { offset, timeout, allowed_updates: ALLOWED_UPDATES },
        { signal, timeoutMs: (timeout + 20) * 1000 },
      );
      updates = Array.isArray(result) ? result : [];
      failures = 0;
      // A server that answers an empty long poll at once (an emulator, a proxy) must not make this spin.
      if (updates.length === 0 && timeout > 0 && Date.now() - asked < 200) await sleep(500, signal);
    } catch (error) {
      if (signal.aborted) break;
      failures += 1;
      const failure = classifyError(error, [o.config.token]);
      const waitMs =
        failure.status === 'rate_limited' ? failure.retryAfterMs : Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
      const reason = reasonOf(failure);
      if (/^(401|404)\b/.test(reason))
        o.log.error({ reason }, 'Telegram refused getUpdates: is TELEGRAM_BOT_TOKEN still valid?');
      else if (/^409\b/.test(reason))
        o.log.error({ reason }, "another process is receiving this bot's updates (webhook or polling)");
      else o.log.warn({ reason, waitMs }, 'getUpdates failed; trying again');
      await sleep(waitMs, signal);
      continue;
    }
    for (const update of updates) {
      if (!isUpdate(update)) continue;
      try {
        await handle(update);
      } catch {
        // Not recorded: do not move the offset past it; it comes again with the next getUpdates.
        await sleep(o.pollRetryMs ?? 1000, signal);
        break;
      }
      offset = update.update_id + 1;
    }
  }
  // Confirm what was handled, so a restart does not receive it again (dedupe would skip it anyway).
  if (offset > 0) {
    await ctx.call('getUpdates', { offset, limit: 1, timeout: 0 }, 5000).catch(() => undefined);
  }
}

async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  await delay(ms, undefined, { signal }).catch(() => undefined);
}
