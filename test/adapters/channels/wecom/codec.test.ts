/**
 * The WeCom channel's pure halves: callbacks read as `Inbound` (mentions, quotes, clicks and the card's
 * drop-down), messages as cards or markdown, and the per-conversation limit.
 */
import { describe, expect, it } from 'vitest';
import {
  eventToClick,
  MORE_KEY,
  MORE_QUESTION,
  messageToInbound,
  readQuote,
  stripMentions,
} from '../../../../src/adapters/channels/wecom/inbound.js';
import { WecomLimiter } from '../../../../src/adapters/channels/wecom/limiter.js';
import { splitBytes, toBody } from '../../../../src/adapters/channels/wecom/outbound.js';

const ctx = { staffChatId: 'wrSTAFF', receivedAt: new Date('2026-11-28T02:00:00Z') };

describe('WeCom callbacks', () => {
  it('reads a group text without the @mention, as staff in the staff group and as a stranger group elsewhere', () => {
    const body = {
      msgid: 'M1',
      chatid: 'wrSTAFF',
      chattype: 'group',
      from: { userid: 'wang' },
      msgtype: 'text',
      text: { content: '@物业助手\u2005T261128-0001 接单' },
    };
    expect(messageToInbound(body, ctx)).toMatchObject({
      channel: 'wecom',
      chatKind: 'staff',
      chatId: 'wrSTAFF',
      userId: 'wang',
      messageId: 'M1',
      content: { type: 'text', text: 'T261128-0001 接单' },
    });
    expect(messageToInbound({ ...body, chatid: 'wrOTHER' }, ctx)?.chatKind).toBe('group');
    expect(messageToInbound({ ...body, chattype: 'single', chatid: undefined }, ctx)).toMatchObject({
      chatKind: 'private',
      chatId: 'wang',
    });
    expect(messageToInbound({ ...body, from: {} }, ctx)).toBeUndefined();
    expect(stripMentions('/tickets @物业助手')).toBe('/tickets');
  });

  it('names the one ticket a quote names, a 咨询 item the way the item asks to be answered, and nothing for several', () => {
    expect(readQuote({ msgtype: 'text', text: { content: '【新报事】T261128-0007\n状态：待受理' } })).toEqual({
      quotedTicket: 'T261128-0007',
    });
    expect(readQuote({ msgtype: 'text', text: { content: 'T261128-0007 和 T261128-0008 都要看' } })).toEqual({});
    expect(readQuote({ msgtype: 'text', text: { content: 'Q012 咨询\n……\n回答请发：Q012 您的回答' } })).toEqual({
      quotedItem: 'Q012',
    });
    expect(readQuote(undefined)).toEqual({});
  });

  it('reads a click as the button data, and the ▶ of the drop-down as the chosen option', () => {
    const click = (key: string, selected?: unknown) => ({
      msgid: 'E1',
      chatid: 'wrSTAFF',
      chattype: 'group',
      from: { userid: 'wang' },
      msgtype: 'event',
      event: {
        eventtype: 'template_card_event',
        template_card_event: { event_key: key, task_id: 'c1', ...(selected ? { selected_items: selected } : {}) },
      },
    });
    expect(eventToClick(click('s|accept|T261128-0001'), ctx)).toMatchObject({
      taskId: 'c1',
      inbound: { content: { type: 'button', data: 's|accept|T261128-0001' }, sourceMessage: 'c1', chatKind: 'staff' },
    });
    const chosen = {
      selected_item: [{ question_key: MORE_QUESTION, option_ids: { option_id: ['s|resolve|T261128-0001'] } }],
    };
    expect(eventToClick(click(MORE_KEY, chosen), ctx)?.inbound.content).toEqual({
      type: 'button',
      data: 's|resolve|T261128-0001',
    });
    expect(eventToClick(click(MORE_KEY), ctx)).toBeUndefined();
    expect(eventToClick({ ...click('x'), event: { eventtype: 'enter_chat' } }, ctx)).toBeUndefined();
  });
});

describe('WeCom messages', () => {
  const buttons = (n: number) => [
    Array.from({ length: n }, (_, i) => ({ label: `b${i}`, data: `s|accept|T261128-${String(i).padStart(4, '0')}` })),
  ];

  it('makes a card of a message with buttons: six at most, then a drop-down and the corner menu', () => {
    const six = toBody({ text: '标题\n正文', buttons: buttons(6) }, 'c1');
    if (six.msgtype !== 'template_card') throw new Error('expected a card');
    expect(six.template_card.button_list).toHaveLength(6);
    expect(six.template_card).toMatchObject({ main_title: { title: '标题' }, sub_title_text: '正文', task_id: 'c1' });

    const many = toBody({ text: '标题', buttons: buttons(20) }, 'c2');
    if (many.msgtype !== 'template_card') throw new Error('expected a card');
    expect(many.template_card.button_list?.map((b) => b.key)).toEqual([...buttons(5)[0]!.map((b) => b.data), MORE_KEY]);
    expect(many.template_card.button_selection?.option_list).toHaveLength(10);
    expect(many.template_card.action_menu?.action_list).toHaveLength(3);
    expect(many.dropped).toBe(2);
  });

  it('sends a message without buttons as markdown, in pieces under WeCom’s size', () => {
    expect(toBody({ text: '您好 @王师傅', mentions: [{ userId: 'wang', name: '王师傅' }] }, 'c')).toEqual({
      msgtype: 'markdown',
      parts: ['您好 <@wang>'],
    });
    const long = `${'一'.repeat(5000)}\n${'二'.repeat(5000)}`;
    const parts = splitBytes(long, 20_000);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => Buffer.byteLength(p) <= 20_000)).toBe(true);
    expect(parts.join('\n')).toBe(long);
  });
});

describe('WecomLimiter', () => {
  it('lets 30 messages a minute go to one conversation, then says how long to wait', () => {
    const limiter = new WecomLimiter();
    for (let i = 0; i < 30; i++) expect(limiter.reserve('g', 1000 + i)).toBe(0);
    expect(limiter.reserve('g', 2000)).toBe(60_000 - 1000);
    expect(limiter.reserve('other', 2000)).toBe(0);
    expect(limiter.reserve('g', 61_000)).toBe(0);
  });
});
