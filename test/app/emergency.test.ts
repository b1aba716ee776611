import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { step } from '../../src/core/flow/engine.js';
import { i18n, makeHarness, registry } from '../support/harness.js';

const assistant = new OfflineAssistant(loadKeywords());
const t = (key: string, p?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { dutyPhone: '0571-88886666', estate: '阳光花园', ...p });

async function harness() {
  return makeHarness({ assistant });
}
type H = Awaited<ReturnType<typeof harness>>;

/** Presses the owner's button with this value on the last message that had buttons. */
async function press(h: H, value: string) {
  const b = h.lastButtons().find((x) => x.data.endsWith(`:${value}`));
  if (!b) throw new Error(`no button ${value}: ${JSON.stringify(h.lastButtons())}`);
  return h.send({ type: 'button', data: b.data });
}

async function tickets(h: H) {
  const owner = await h.store.findOwnerByIdentity('console', 'u-owner');
  return owner ? h.store.listTickets({ ownerId: owner.id, limit: 10 }) : [];
}

function cardEdits(h: H) {
  return h
    .staffMessages()
    .map((s) => s.action)
    .filter((a) => a.kind === 'edit' && a.ref.startsWith('card:'));
}

describe('emergencies in the conversation (issue 14)', () => {
  it('files a present emergency at once, reusing the place in the message and the kind the rules know', async () => {
    const h = await harness();
    const first = await h.send('3栋2单元501 家裡煤氣味很重');
    expect(first.texts[0]).toContain('119');
    expect(first.texts.join('\n')).not.toContain(t('emergency.ask.location'));
    const [ticket] = await tickets(h);
    expect(ticket).toMatchObject({ urgency: 'emergency', location: { building: '3', unit: '2', room: '501' } });
    expect(ticket?.description).toBe('3栋2单元501 家裡煤氣味很重');
    // A first-time owner is asked once for a call-back number; what is happening is known (gas): not asked.
    expect(first.texts.at(-1)).toContain(t('emergency.ask.phone'));
    const card = h.staffMessages().find((s) => s.action.kind === 'send' && s.action.message.ref?.startsWith('card:'));
    expect(card?.action.kind === 'send' && card.action.message.text).toContain(`${t('card.emergency_what')}：燃气`);

    const after = await h.send('13812345678');
    expect(after.texts.join('\n')).toContain(t('emergency.details_noted'));
    expect(after.texts.join('\n')).not.toContain(t('emergency.ask.what'));
    const [withPhone] = await tickets(h);
    expect(withPhone?.contact?.phone).toBe('+8613812345678');
    const owner = await h.store.findOwnerByIdentity('console', 'u-owner');
    expect(owner?.phone).toBe('+8613812345678');
    // The card is edited in place with the number (masked there; /phone shows it to the accountable person).
    const edit = cardEdits(h).at(-1);
    expect(edit?.kind === 'edit' && edit.message.text).toContain(t('card.contact'));
  });

  it('files the emergency under the category the message names (电梯困人了 → lift)', async () => {
    const h = await harness();
    await h.send('9栋电梯困人了!!!快点 我老公在里面');
    const [ticket] = await tickets(h);
    expect(ticket).toMatchObject({ urgency: 'emergency', category: 'lift' });
  });

  it('asks what is happening with one tap when the rules do not know, and puts it on the card', async () => {
    const h = await harness();
    await h.send('救命 3栋2单元501');
    await press(h, 'skip');
    const asked = h.lastButtons().map((b) => b.label);
    expect(asked).toEqual(expect.arrayContaining(['着火', '燃气', '困人', '漏水', '受伤', '其他']));
    const done = await press(h, 'o.trapped');
    expect(done.texts.join('\n')).toContain(t('emergency.details_noted'));
    const edit = cardEdits(h).at(-1);
    expect(edit?.kind === 'edit' && edit.message.text).toContain(`${t('card.emergency_what')}：困人`);
  });

  it('files a 4,000-character emergency instead of refusing it for its length', async () => {
    const h = await harness();
    const text = `${'我跟您说一下情况，'.repeat(443)}电梯困人了！`;
    expect([...text].length).toBeGreaterThan(3990);
    const r = await h.send(text);
    // The numbers and what to do head the question where (one message).
    expect(r.texts[0]?.startsWith(`${t('emergency.intro')}\n\n${t('emergency.ask.location')}`)).toBe(true);
    expect(r.texts.join('\n')).not.toContain(t('input.too_long', { max: 4000, length: [...text].length }));
    expect(r.texts.at(-1)).toContain(t('emergency.ask.location'));
  });

  it('asks once when it is unclear, with the numbers shown; yes starts the emergency path with the words', async () => {
    const h = await harness();
    const r = await h.send('我老婆摔倒了');
    expect(r.texts.at(-1)).toBe(t('emergency.check.ask'));
    expect(r.texts.at(-1)).toContain('120');
    expect(h.lastButtons().map((b) => b.label)).toEqual([t('emergency.check.yes'), t('emergency.check.no')]);
    const yes = await press(h, 'y');
    expect(yes.texts[0]?.startsWith(`${t('emergency.intro')}\n\n${t('emergency.ask.location')}`)).toBe(true);
    await h.send('3栋2单元501');
    const [ticket] = await tickets(h);
    expect(ticket).toMatchObject({ urgency: 'emergency', description: '我老婆摔倒了' });
  });

  it('carries on with what the message would have done when the owner says no: a form answer is kept', async () => {
    const h = await harness();
    await h.send('/start');
    await press(h, 'm.repair');
    // Through the report form to its description question.
    for (let i = 0; i < 6; i += 1) {
      const flow = (await h.store.getThread('console', 'owner'))?.state.flow;
      if (flow?.stepId === 'description') break;
      const buttons = h.lastButtons();
      if (buttons.length > 0 && flow?.stepId !== 'location')
        await h.send({ type: 'button', data: buttons[0]?.data ?? '' });
      else await h.send('3栋2单元501');
    }
    expect((await h.store.getThread('console', 'owner'))?.state.flow?.stepId).toBe('description');
    const asked = await h.send('楼道灯太暗，我老婆摔倒了');
    expect(asked.texts.at(-1)).toBe(t('emergency.check.ask'));
    await press(h, 'n');
    const flow = (await h.store.getThread('console', 'owner'))?.state.flow;
    expect(flow?.flowId).toBe('complaint');
    expect(flow?.answers.description).toBe('楼道灯太暗，我老婆摔倒了');
    expect(await tickets(h)).toEqual([]);
  });

  it('in a revisit, only a present emergency interrupts: an unclear one is just the answer', async () => {
    const h = await harness();
    await h.send('你好');
    const thread = await h.store.getThread('console', 'owner');
    if (!thread) throw new Error('no thread');
    const started = step(
      thread.state,
      { type: 'start', flowId: 'revisit', context: { number: 'T261128-0001', category: 'lift' } },
      {
        registry,
        translate: (l, k, p) => i18n.translate(l, k, p),
        locale: 'zh-CN',
        owner: { units: [], privacyNoticeShown: true },
        params: {},
        now: h.clock.now(),
      },
    );
    await h.store.saveThread({ ...thread, state: started.state });
    const thanks = await h.send('上周水管爆了你们来修的很快 谢谢');
    expect(thanks.texts.join('\n')).not.toContain('119');
    const unclear = await h.send('我老婆摔倒了');
    expect(unclear.texts.join('\n')).not.toContain(t('emergency.check.ask'));
    expect((await h.store.getThread('console', 'owner'))?.state.flow?.flowId).toBe('revisit');
    const present = await h.send('电梯困人了！3栋2单元501');
    expect(present.texts[0]).toBe(t('emergency.intro'));
    const state = (await h.store.getThread('console', 'owner'))?.state;
    expect(state?.queue.map((q) => q.flowId)).toContain('revisit');
  });

  it('offers back a report an emergency interrupted, with its answers', async () => {
    const h = await harness();
    await h.send('/start');
    await press(h, 'm.repair');
    await h.send({ type: 'button', data: h.lastButtons()[0]?.data ?? '' });
    const before = (await h.store.getThread('console', 'owner'))?.state.flow;
    expect(before?.flowId).toBe('complaint');
    const answered = { ...before?.answers };
    expect(Object.keys(answered).length).toBeGreaterThan(0);
    await h.send('着火了！3栋2单元501');
    const skip = await press(h, 'skip');
    expect(skip.texts.join('\n')).toContain(t('emergency.report_back'));
    const after = (await h.store.getThread('console', 'owner'))?.state.flow;
    expect(after?.flowId).toBe('complaint');
    expect(after?.answers).toMatchObject(answered);
  });
});
