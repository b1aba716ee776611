/**
 * `npm run bench`: the performance figures residesk cares about, printed as JSON. Nothing here asserts
 * a time; compare the figures between commits on the same machine.
 *
 * - engine.stepsPerSecond: pure conversation steps (the complaint flow, end to end).
 * - inbound.messagesPerSecond / inbound.p95Ms: owner messages through App.handleInbound on a SQLite
 *   file (one transaction each: dedupe, thread, engine, effects, outbox).
 * - outbox.deliveriesPerSecond: the dispatcher draining the outbox to a channel that accepts at once.
 * - tickets.perSecond: complete complaints filed (read-back confirmed) per second.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { App } from '../../src/app/app.js';
import { Dispatcher } from '../../src/app/dispatcher.js';
import { loadFlows } from '../../src/app/flows-loader.js';
import { step } from '../../src/core/flow/engine.js';
import { initialState } from '../../src/core/flow/state.js';
import { createI18n, readLocales } from '../../src/i18n.js';
import { silentLogger } from '../../src/logger.js';
import { FakeClock } from '../support/clock.js';
import { RecordingSender } from '../support/harness.js';

const SCRIPT = ['/start', '1', '1', '3-2-501', '卫生间天花板漏水，滴到地上了', '1', '1', '张三', '13812345678', '1'];

const i18n = createI18n(readLocales('locales'));
const registry = loadFlows('flows', (k) => i18n.has(k));

function benchEngine(rounds: number) {
  const ctx = {
    registry,
    translate: i18n.translate,
    locale: 'zh-CN' as const,
    owner: { units: [], privacyNoticeShown: true },
    params: {},
    now: new Date('2026-11-28T02:00:00Z'),
  };
  const start = performance.now();
  let steps = 0;
  for (let r = 0; r < rounds; r++) {
    let state = initialState();
    for (const text of SCRIPT) {
      state = step(state, { type: 'text', text }, ctx).state;
      steps++;
    }
  }
  return { stepsPerSecond: Math.round(steps / ((performance.now() - start) / 1000)) };
}

async function benchInbound(owners: number) {
  const dir = mkdtempSync(join(tmpdir(), 'residesk-bench-'));
  try {
    const store = await openSqliteStore({ path: join(dir, 'bench.db') });
    const clock = new FakeClock();
    const sender = new RecordingSender('console');
    const log = silentLogger();
    const app = new App({
      store,
      clock,
      registry,
      i18n,
      log,
      settings: { defaultLocale: 'zh-CN', timeZone: 'Asia/Shanghai', estateName: 'bench', dutyPhone: '' },
      staffRooms: [{ channel: 'console', chatId: 'staff' }],
    });
    const latencies: number[] = [];
    const start = performance.now();
    let n = 0;
    for (let o = 0; o < owners; o++) {
      for (const text of SCRIPT) {
        const t0 = performance.now();
        await app.handleInbound({
          channel: 'console',
          chatId: `owner-${o}`,
          chatKind: 'private',
          userId: `owner-${o}`,
          messageId: `m-${n++}`,
          receivedAt: clock.now(),
          content: { type: 'text', text },
        });
        latencies.push(performance.now() - t0);
      }
    }
    const seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? 0;
    const tickets = (await store.listTickets({ limit: 100_000 })).length;

    const dispatcher = new Dispatcher({ store, clock, senders: [sender], log, workerId: 'bench', batch: 200 });
    const pending = (await store.listOutbox({ status: 'pending' })).length;
    const d0 = performance.now();
    await dispatcher.drain(100_000);
    const dSeconds = (performance.now() - d0) / 1000;
    await store.close();
    return {
      inbound: { messages: n, messagesPerSecond: Math.round(n / seconds), p95Ms: Number(p95.toFixed(2)) },
      tickets: { filed: tickets, perSecond: Number((tickets / seconds).toFixed(1)) },
      outbox: { delivered: pending, deliveriesPerSecond: Math.round(pending / dSeconds) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const engine = benchEngine(500);
const app = await benchInbound(60);
process.stdout.write(
  `${JSON.stringify({ node: process.version, engine, ...app, note: 'figures, not assertions: compare between commits on one machine' }, null, 2)}\n`,
);
