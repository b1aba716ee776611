/**
 * The whole owner loop on official WeChat interfaces only, over the two local fakes: the owner in a
 * Service Account (服务号; test/support/fake-wechat-mp.ts: HTTP callbacks in encrypted XML, 客服消息 and
 * template messages with the platform's checks) and staff in a WeCom group (test/support/fake-wecom.ts,
 * driven through the real `@wecom/aibot-node-sdk`). Each side acts as a person would: the owner scans the
 * building's QR code and types; staff @mention the bot, tap the card's buttons and quote it. The owner
 * reports a leak → its card reaches the WeCom group → staff accept it (the card changes in place) →
 * reply by quoting → resolve → two days later the revisit reaches the owner by TEMPLATE (its 48-hour
 * window has closed) → the owner writes back in the chat and answers → the ticket is closed; a bad
 * answer reopens it instead.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeWecom } from '../support/fake-wecom.js';
import { HOUR, i18n, type MpEstate, mpEstate, OWNER, REPAIR, TEMPLATE_IDS } from '../support/mp-estate.js';
import { connectWecom, type WecomOnFake } from '../support/wecom-channel.js';

const BOT = { botId: 'aibTESTBOT', secret: 'long-connection-secret' };
const STAFF = 'wrSTAFFGROUP01';
const zh = (key: string, params?: Record<string, string | number>) =>
  i18n.translate('zh-CN', key, { estate: '阳光花园', dutyPhone: '0571-88886666', ...params });

let wecom: FakeWecom;
let staffSide: WecomOnFake | undefined;
let waitFor: WecomOnFake['waitFor'];
let e: MpEstate;

beforeEach(async () => {
  wecom = await FakeWecom.start(BOT);
  e = await mpEstate({
    templates: ['revisit_invitation', 'ticket_progress'],
    staff: {
      rooms: [{ channel: 'wecom', chatId: STAFF }],
      connect: async (app) => {
        staffSide = await connectWecom({
          fake: wecom,
          bot: BOT,
          staffChatId: STAFF,
          staffNames: new Map([['wangshifu', '王师傅']]),
          app,
          dispatcher: () => e.dispatcher,
        });
        waitFor = staffSide.waitFor;
        return staffSide.channel;
      },
    },
  });
});

afterEach(async () => {
  staffSide?.channel.stop();
  await e.close();
  await wecom.stop();
});

/** A staff member @mentions the bot in the WeCom group. */
function staffSays(text: string, o: { quote?: string } = {}): void {
  wecom.pushText({ chatid: STAFF, userid: 'wangshifu', text: `@物业助手 ${text}`, ...o });
}

const ownerTexts = () => e.fake.textsTo(OWNER);

/** From the QR code to a revisit delivered by template two days after the resolution; returns the number. */
async function toRevisit(): Promise<string> {
  // 王师傅 @mentions the bot once: WeCom lets the bot post in the group from then on.
  staffSays('/tickets');
  await waitFor(() => wecom.sent.some((m) => m.chatid === STAFF), 'the group open to the bot');

  // The owner scans building 3's QR code and reports the leak in the Service Account.
  const follow = await e.follow('阳光花园:3');
  expect(follow).toEqual({ status: 200, body: 'success' });
  expect((await e.store.findOwnerByIdentity('wechat_mp', OWNER))?.qrBuilding).toEqual({
    estate: '阳光花园',
    building: '3',
  });
  for (const line of REPAIR) await e.say(line);
  const number = await e.ticketNumber();
  expect(ownerTexts().join('\n')).toContain(number);

  // Its card reaches the WeCom group, with the phone masked.
  const card = await waitFor(
    () => wecom.cardsIn(STAFF).find((c) => String((c.card.main_title as { title?: string }).title).includes(number)),
    'the card in the WeCom group',
  );
  expect(String(card.card.sub_title_text)).toContain('138****5678');

  // 王师傅 taps 接单: the card changes in place and the owner is told in the Service Account.
  wecom.pushClick({ chatid: STAFF, userid: 'wangshifu', taskId: card.taskId, key: `s|accept|${number}` });
  await waitFor(() => card.updates === 1, 'the card updated in place');
  await waitFor(() => ownerTexts().includes(zh('owner.accepted', { number, name: '王师傅' })), 'the owner told');

  // He answers by quoting the card.
  const quote = `${String((card.card.main_title as { title: string }).title)}\n${String(card.card.sub_title_text)}`;
  const text = '您好，我下午两点上门查看，请留人在家';
  staffSays(text, { quote });
  await waitFor(() => ownerTexts().includes(zh('owner.reply', { number, name: '王师傅', text })), 'the reply');

  // After the visit he names who is responsible (resolving while it is 待确定 would ask him to confirm),
  // then resolves it by a typed command.
  staffSays(`/judge ${number} 物业公司`);
  await waitFor(async () => (await e.store.getTicketByNumber(number))?.responsibility === 'property', 'the judgement');
  staffSays(`/resolve ${number} 已更换破损水管，试水正常`);
  await waitFor(async () => (await e.store.getTicketByNumber(number))?.status === 'resolved', 'the resolution');
  await waitFor(() => ownerTexts().some((t) => t.includes('已更换破损水管')), 'the owner told of the resolution');

  // Two days later the revisit is due; the owner's 48-hour window has closed: it goes by template.
  const kfBefore = e.fake.sent.length;
  e.clock.advance(49 * HOUR);
  await e.tick();
  const [revisit, more] = e.fake.templatesTo(OWNER);
  expect(more).toBeUndefined();
  expect(revisit).toMatchObject({ templateId: TEMPLATE_IDS.revisit_invitation, data: { character_string1: number } });
  expect(e.fake.sent.length).toBe(kfBefore);
  return number;
}

describe('the owner loop over a Service Account and a WeCom group', () => {
  it('report → card → accept → reply → resolve → revisit by template → answers → closed', async () => {
    const number = await toRevisit();
    // The owner opens the chat from the template and writes: the window opens and the question follows.
    await e.say('你好，看到回访通知了');
    expect(ownerTexts().at(-1)).toContain(zh('revisit.ask.good_time').slice(0, 6));
    for (const answer of ['1', '1', '1', '2', '9', '1']) await e.say(answer);
    expect(ownerTexts().join('\n')).toContain('感谢您的回访反馈');
    const ticket = await e.store.getTicketByNumber(number);
    expect(ticket?.status).toBe('closed');
    expect(ticket?.revisit).toMatchObject({ solved: true, score: 9, by: 'chat', outcome: 'closed' });
    await waitFor(
      () => wecom.sent.some((m) => m.chatid === STAFF && JSON.stringify(m.body).includes('回访完成')),
      'the staff group told the revisit is done',
    );
  });

  it('a bad answer to the revisit reopens the ticket', async () => {
    const number = await toRevisit();
    await e.say('你好');
    // Now is fine; not solved; unsatisfied; not charged; a 3; and why.
    for (const answer of ['1', '2', '3', '2', '3', '师傅没修好还把地弄脏了']) await e.say(answer);
    expect(ownerTexts().join('\n')).toContain('已重新处理');
    expect((await e.store.getTicketByNumber(number))?.status).toBe('reopened');
    await waitFor(
      () => wecom.sent.some((m) => m.chatid === STAFF && JSON.stringify(m.body).includes('师傅没修好')),
      "the staff group told, with the owner's answers",
    );
  });
});
