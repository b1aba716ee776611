/**
 * `npx tsx test/bench/profile.ts`: a quick look at residesk under load, for work on its speed (not a
 * figure of record; `npm run bench` is). Starts the bot as `npm start` does against the fake Bot API,
 * reports start-up, idle RSS and CPU, then for each sender count the updates/s, CPU ms per update,
 * webhook p50/p99 and next-question p50/p99.
 *
 * Environment: SENDERS (default "1,16"), MS per load (default 8000), LIMITS "lifted" (default) or "real",
 * THINK_MS, the owners' mean think time before each answer (default: 2000 with real limits, as `npm run
 * bench` measures what owners feel; 0 with limits lifted; see load.ts), and BENCH_NODE_ARGS for the bot's node, e.g.
 * BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to write a CPU profile when the bot stops.
 * To look into a run: BENCH_LOG_LEVEL (the bot's LOG_LEVEL, default warn) and BENCH_BOT_LOG=/tmp/bot.log
 * (all the bot's output appended there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Limits, startResidesk } from './bots.js';
import { startFakeBotApi } from './fake-bot-api.js';
import { quantile, runOwners, THINK_MS } from './load.js';
import { prepareStart, usage } from './process.js';

const ROOT = process.cwd();
const fixed = (n: number) => n.toFixed(1);
prepareStart(ROOT);
const api = await startFakeBotApi();
const dataDir = mkdtempSync(join(tmpdir(), 'residesk-profile-'));
const limits: Limits = process.env.LIMITS === 'real' ? 'real' : 'lifted';
const thinkMs = Number(process.env.THINK_MS ?? (limits === 'real' ? THINK_MS : 0));
const bot = await startResidesk({ root: ROOT, api, dataDir, limits });
try {
  await new Promise((r) => setTimeout(r, 2000));
  const idle0 = usage(bot.pid).cpuMs;
  await new Promise((r) => setTimeout(r, 3000));
  const idleCpu = (usage(bot.pid).cpuMs - idle0) / 3;
  console.log(
    `start-up ${Math.round(bot.startMs)} ms, idle RSS ${Math.round(usage(bot.pid).rssMb)} MB, idle CPU ${fixed(idleCpu)} ms/s`,
  );
  let firstChat = 100_000_000;
  for (const owners of (process.env.SENDERS ?? '1,16').split(',').map(Number)) {
    const cpu0 = usage(bot.pid).cpuMs;
    const r = await runOwners({
      api,
      webhook: bot.webhook,
      owners,
      firstChat,
      ms: Number(process.env.MS ?? 8000),
      stepTimeoutMs: 60_000,
      thinkMs,
    });
    firstChat += 1_000_000;
    const cpu = usage(bot.pid).cpuMs - cpu0;
    console.log(
      `${owners} owners (${limits}, think ${thinkMs} ms): ${fixed(r.updates / r.seconds)} updates/s, CPU ${(cpu / Math.max(1, r.updates)).toFixed(2)} ms/update, ` +
        `webhook p50 ${fixed(quantile(r.webhookMs, 0.5))} / p99 ${fixed(quantile(r.webhookMs, 0.99))} ms, ` +
        `next question p50 ${fixed(quantile(r.nextQuestionMs, 0.5))} / p99 ${fixed(quantile(r.nextQuestionMs, 0.99))} ms ` +
        `(${r.nextQuestionMs.length} steps)`,
    );
    console.log(
      `  by step (p50/p99 ms): ${r.nextQuestionByStepMs.map((w, i) => `${i} ${fixed(quantile(w, 0.5))}/${fixed(quantile(w, 0.99))}`).join(', ')}`,
    );
  }
  console.log(`Bot API calls by method: ${JSON.stringify(api.calls)}`);
} finally {
  await bot.stop();
  await api.close();
  rmSync(dataDir, { recursive: true, force: true });
}
