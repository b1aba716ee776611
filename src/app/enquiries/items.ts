/**
 * The staff room's side of an enquiry: the 咨询 / 转人工 item (with 💬 回答 and 📚 存入知识库), and a staff
 * answer reaching the owner, however it is given: `Q012 您好，…` typed, a reply to the item (Telegram, the
 * console's `>` line), a quote of it (WeChat), or the next message after 回答. Items posted before
 * enquiries were recorded (`frontdoor.item:Q…` settings) are still answerable: read once, they become
 * enquiries like the rest.
 */
import type { Enquiry } from '../../core/ports/enquiries.js';
import type { StoreTx } from '../../core/ports.js';
import { encodeEnquiryButton } from '../../core/protocol/enquiry-buttons.js';
import { isOpen } from '../../core/tickets/ticket.js';
import type { Address, Inbound, Owner, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { formatTime } from '../render.js';
import { cancelAnswerTimers } from './timers.js';

/** The ref an item is posted under (a reply to it is found by it). */
export const ITEM_PREFIX = 'ask:';
/** Where the front door kept an item before enquiries were recorded. */
const LEGACY_KEY = (ref: string) => `frontdoor.item:${ref}`;

/** A new enquiry's id: Q001 …, from the counter the front door's items always used. */
export async function nextEnquiryId(tx: StoreTx): Promise<string> {
  return `Q${String(await tx.nextSequence('frontdoor.item')).padStart(3, '0')}`;
}

/** The enquiry behind a reference, including an item posted before the upgrade (made an enquiry on first read). */
export async function findEnquiry(ctx: AppContext, tx: StoreTx, ref: string): Promise<Enquiry | undefined> {
  const found = await tx.getEnquiry(ref);
  if (found) return found;
  const raw = await tx.getSetting(LEGACY_KEY(ref));
  if (!raw) return undefined;
  let legacy: { channel: Address['channel']; chatId: string; ownerId: string; text: string };
  try {
    legacy = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const owner = await tx.getOwner(legacy.ownerId);
  const now = ctx.clock.now();
  const enquiry: Enquiry = {
    id: ref,
    ownerId: legacy.ownerId,
    channel: legacy.channel,
    chatId: legacy.chatId,
    locale: owner?.locale ?? ctx.settings.defaultLocale,
    text: legacy.text,
    kind: 'enquiry',
    status: 'waiting',
    // When it was asked was not kept; it is counted from when it was first read.
    askedAt: now,
    updatedAt: now,
  };
  await tx.createEnquiry(enquiry);
  await tx.setSetting(LEGACY_KEY(ref), '');
  return enquiry;
}

/** The building of an owner's first flat (3 in 3-2-501), for the counts. */
export function buildingOf(owner: Owner): string | undefined {
  return owner.units[0]?.match(/^\s*(\d{1,3})/)?.[1];
}

/** Posts an enquiry as an item to every staff room: who asked, what, their open tickets, the due time. */
export async function postItem(
  ctx: AppContext,
  tx: StoreTx,
  enquiry: Enquiry,
  owner: Owner,
  autoAnswer?: string,
): Promise<void> {
  const t = (k: string, p?: Record<string, string | number>) => ctx.t(ctx.staffLocale, k, p);
  const open = (await tx.listTickets({ ownerId: owner.id, limit: 10 })).filter((x) => isOpen(x.status));
  const head = t(`desk.frontdoor.${enquiry.kind}`, {
    ref: enquiry.id,
    // 张先生（3-2-501）, or just what is known: never an empty bracket or a "not given" inside another.
    who: [
      owner.name ?? t('desk.frontdoor.anonymous'),
      ...(owner.units.length ? [`（${owner.units.join('、')}）`] : []),
    ].join(''),
    text: enquiry.text,
    tickets: open.map((x) => x.number).join('、') || t('desk.frontdoor.no_tickets'),
  });
  const lines = [
    head,
    ...(autoAnswer ? [t('enquiry_kb.staff.auto_answer', { answer: autoAnswer })] : []),
    ...(enquiry.dueAt
      ? [t('enquiry_kb.staff.due', { due: formatTime(enquiry.dueAt, ctx.staffLocale, ctx.settings.timeZone) })]
      : []),
  ];
  const answer = {
    label: t('enquiry_kb.staff.answer_button'),
    data: encodeEnquiryButton({ audience: 'staff', action: 'answer', id: enquiry.id }),
  };
  const learn = {
    label: t('enquiry_kb.staff.learn_button'),
    data: encodeEnquiryButton({ audience: 'staff', action: 'learn', id: enquiry.id }),
  };
  await ctx.toStaff(tx, {
    text: lines.join('\n'),
    buttons: [enquiry.kind === 'human' ? [answer] : [answer, learn]],
    ref: `${ITEM_PREFIX}${enquiry.id}`,
  });
}

/**
 * Sends a staff answer to the owner who asked, records it on the enquiry (a second answer adds to the
 * first) and confirms it in the chat it came from, offering supervisors to save it to the knowledge.
 */
export async function deliverAnswer(
  ctx: AppContext,
  tx: StoreTx,
  inbound: Inbound,
  staff: Staff | undefined,
  enquiry: Enquiry,
  text: string,
): Promise<void> {
  const t = (k: string, p?: Record<string, string | number>) => ctx.t(ctx.staffLocale, k, p);
  const ref = enquiry.id;
  if (enquiry.status === 'closed') {
    await ctx.sendTo(tx, inbound, { text: t('enquiry_kb.staff.closed', { ref }) });
    return;
  }
  const owner = await tx.getOwner(enquiry.ownerId);
  if (!owner || owner.unreachable) {
    await ctx.sendTo(tx, inbound, { text: t('desk.frontdoor.unreachable', { ref }) });
    return;
  }
  await ctx.sendTo(
    tx,
    { channel: enquiry.channel, chatId: enquiry.chatId },
    { text: ctx.t(owner.locale, 'frontdoor.staff_answer', { question: enquiry.text, text }) },
  );
  const now = ctx.clock.now();
  const earlier = enquiry.status === 'staff' && enquiry.answer ? `${enquiry.answer}\n` : '';
  await tx.saveEnquiry({
    ...enquiry,
    status: 'staff',
    answer: `${earlier}${text}`,
    ...(staff ? { answeredBy: { id: staff.id, name: staff.displayName } } : {}),
    answeredAt: now,
    updatedAt: now,
  });
  await cancelAnswerTimers(ctx, tx, ref);
  if (enquiry.kind === 'human' || enquiry.savedAs) {
    await ctx.sendTo(tx, inbound, { text: t('desk.frontdoor.answered', { ref }) });
  } else {
    await ctx.sendTo(tx, inbound, {
      text: t('enquiry_kb.staff.answered', { ref }),
      buttons: [
        [
          {
            label: t('enquiry_kb.staff.learn_button'),
            data: encodeEnquiryButton({ audience: 'staff', action: 'learn', id: ref }),
          },
        ],
      ],
    });
  }
  ctx.log.info({ ref, ownerId: owner.id }, 'a staff answer to an enquiry was sent to the owner');
}
