/**
 * Drives the whole app as the staff room and an owner would (harness: real flows, locales, SQLite,
 * dispatcher): an owner's repair report, staff who write in the room and press the card's buttons, and a
 * check that nothing anyone was shown answered "you cannot do this now".
 */
import type { OutboundAction } from '../../src/core/types.js';
import { flattenKeys, readLocales } from '../../src/i18n.js';
import { i18n, makeHarness } from './harness.js';

export const zh = (key: string, params?: Record<string, string | number>) => i18n.translate('zh-CN', key, params);

/** A first repair report, from /start to the confirmed read-back. */
export const REPAIR = [
  '/start',
  '1',
  '1',
  '3-2-501',
  '厨房水龙头一直滴水，关不紧',
  '1',
  '1',
  '张三',
  '13812345678',
  '1',
];
export const N1 = 'T261128-0001';

const ROOM = { chatId: 'staff', chatKind: 'staff' as const };
export const A = { ...ROOM, userId: 'a', userName: '王师傅' };
export const B = { ...ROOM, userId: 'b', userName: '李师傅' };
export const SUP = { ...ROOM, userId: 'sup', userName: '赵主管' };

export interface Who {
  chatId: string;
  chatKind?: 'staff' | 'private';
  userId?: string;
  userName?: string;
}

/**
 * Every "you cannot do this now" the desk says, as patterns: the refusal texts (desk.refused.*) with their
 * placeholders open. A button shown to someone must never answer with one of these.
 */
export const REFUSALS: readonly RegExp[] = (() => {
  const zhTree = readLocales('locales')['zh-CN'];
  const keys = flattenKeys(zhTree).filter((k) => k.startsWith('desk.refused.'));
  return keys.map((k) => {
    const template = i18n.translate('zh-CN', k);
    const parts = template.split(/\{\{\s*[\w.]+\s*\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    return new RegExp(`^${parts.join('[\\s\\S]*')}$`);
  });
})();

export function isRefusal(text: string | undefined): boolean {
  return text !== undefined && REFUSALS.some((r) => r.test(text.trim()));
}

/** A harness with a desk vocabulary: staff press, owners tap, everything said is kept for checking. */
export async function deskDriver() {
  const h = await makeHarness({
    policy: {
      ...(await import('../../src/app/context.js')).DEFAULT_POLICY,
      supervisors: [{ userId: 'sup' }],
      managers: [{ userId: 'mgr' }],
    },
  });
  /** Everything staff were told (messages in the room and the alerts of their button presses). */
  const staffHeard: string[] = [];
  const texts = (actions: OutboundAction[]) => actions.filter((a) => a.kind === 'send').map((a) => a.message.text);
  const asStaff = async (content: Parameters<typeof h.send>[0], who: Who) => {
    const r = await h.send(content, who);
    staffHeard.push(...r.texts);
    if (r.result.ack?.text) staffHeard.push(r.result.ack.text);
    return r;
  };
  const from = () => {
    const start = h.sender.sent.length;
    return (chatId: string) =>
      texts(
        h.sender.sent
          .slice(start)
          .filter((s) => s.chatId === chatId)
          .map((s) => s.action),
      );
  };
  const ownerPress = async (label: string) => {
    const button = h.lastButtons('owner').find((b) => b.label === label);
    if (!button)
      throw new Error(
        `no button ${label}: ${h
          .lastButtons('owner')
          .map((b) => b.label)
          .join(', ')}`,
      );
    return h.send({ type: 'button', data: button.data });
  };
  /** The card as the room sees it now (its latest post or edit). */
  const card = (number = N1) =>
    h
      .staffMessages()
      .map((s) => s.action)
      .filter((a) => (a.kind === 'edit' ? a.ref : a.message.ref) === `card:${number}`)
      .at(-1)?.message;
  const ticket = async (number = N1) => {
    const t = await h.store.getTicketByNumber(number);
    if (!t) throw new Error(`no ticket ${number}`);
    return t;
  };
  /** Files the repair and lets the staff room know A, B and the supervisor. */
  const fileRepair = async () => {
    for (const line of REPAIR) await h.send(line);
    for (const w of [A, B, SUP]) await h.send('大家好', w);
  };
  return { ...h, staffHeard, asStaff, from, ownerPress, card, ticket, fileRepair };
}

export type DeskDriver = Awaited<ReturnType<typeof deskDriver>>;
