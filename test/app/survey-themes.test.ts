import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import { DEFAULT_POLICY } from '../../src/app/context.js';
import { FakeClock } from '../support/clock.js';
import { makeApp, surveyContent } from '../support/harness.js';

describe("campaign summary with the themes of owners' free text", () => {
  it('groups the free-text answers into themes with quotes, in the report', async () => {
    const { questionnaires, i18n, registry } = surveyContent();
    const store = await openSqliteStore({ path: ':memory:' });
    const clock = new FakeClock();
    const app = makeApp({
      store,
      clock,
      registry,
      i18n,
      settings: { dutyPhone: '' },
      assistant: new OfflineAssistant(loadKeywords()),
      surveys: { questionnaires },
    });
    const created = await store.transaction((tx) =>
      app.surveys.command(tx, { action: 'create', questionnaireId: 'residential' }, 'sup'),
    );
    const id = created.reply[0]?.text.match(/S\d{3}/)?.[0] ?? '';
    const q = questionnaires.get('residential');
    const textQuestion = q?.questions.find((x) => x.kind === 'text')?.id ?? '';
    const comments = ['电梯经常坏，希望尽快修好', '电梯太旧了，老是停', '垃圾桶周围很脏，保洁要加强', '晚上停车位不够'];
    for (const [n, comment] of comments.entries()) {
      await store.addSurveyResponse({
        id: `r${n}`,
        campaignId: id,
        ownerId: `o${n}`,
        questionnaireVersion: q?.version ?? 1,
        answers: { [textQuestion]: comment },
        channel: 'console',
        submittedAt: clock.now(),
      });
    }
    const themes = await app.surveys.themesFor(id);
    expect(themes?.themes.length).toBeGreaterThan(0);
    expect(themes?.themes.reduce((n, t) => n + t.count, 0)).toBe(comments.length);
    const report = await store.transaction((tx) => app.surveys.report(tx, id, themes));
    const text = report.ok ? report.value.messages.map((m) => m.text).join('\n') : '';
    expect(text).toContain('业主意见主题');
    expect(text).toContain('电梯');
  });
});

describe('who the themes are worked out for', () => {
  it('calls the model for /survey report only from a supervisor or manager, never from staff or an owner', async () => {
    const { questionnaires, i18n, registry } = surveyContent();
    const store = await openSqliteStore({ path: ':memory:' });
    const offline = new OfflineAssistant(loadKeywords());
    let calls = 0;
    const counting = Object.assign(Object.create(offline) as OfflineAssistant, {
      summariseAnswers: async (...args: Parameters<OfflineAssistant['summariseAnswers']>) => {
        calls += 1;
        return offline.summariseAnswers(...args);
      },
    });
    const app = makeApp({
      store,
      clock: new FakeClock(),
      registry,
      i18n,
      settings: { dutyPhone: '' },
      policy: { ...DEFAULT_POLICY, supervisors: [{ userId: 'sup' }] },
      assistant: counting,
      surveys: { questionnaires },
    });
    const created = await store.transaction((tx) =>
      app.surveys.command(tx, { action: 'create', questionnaireId: 'residential' }, 'sup'),
    );
    const id = created.reply[0]?.text.match(/S\d{3}/)?.[0] ?? '';
    const q = questionnaires.get('residential');
    await store.addSurveyResponse({
      id: 'r1',
      campaignId: id,
      ownerId: 'o1',
      questionnaireVersion: q?.version ?? 1,
      answers: { [q?.questions.find((x) => x.kind === 'text')?.id ?? '']: '电梯经常坏，希望尽快修好' },
      channel: 'console',
      submittedAt: new Date(),
    });
    let n = 0;
    const say = (chatId: string, chatKind: 'staff' | 'private', userId: string) =>
      app.handleInbound({
        channel: 'console',
        chatId,
        chatKind,
        userId,
        messageId: `m${++n}`,
        receivedAt: new Date(),
        content: { type: 'text', text: `/survey report ${id}` },
      });
    await say('staff', 'staff', 'worker');
    await say('owner-chat', 'private', 'owner');
    expect(calls).toBe(0);
    await say('staff', 'staff', 'sup');
    expect(calls).toBe(1);
  });
});
