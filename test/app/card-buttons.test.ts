/**
 * Buttons only where they work (issue 20): in every status a ticket's card can reach, every button on it,
 * pressed by the person it is shown to (anyone in the room on a new card, else the accountable person),
 * and every judging choice it opens, answers without "you cannot do this now".
 */
import { describe, expect, it } from 'vitest';
import { CARD_ACTIONS } from '../../src/app/render.js';
import type { TicketStatus } from '../../src/core/tickets/ticket.js';
import { A, B, type DeskDriver, deskDriver, isRefusal, N1, zh } from '../support/desk-driver.js';

/** How the room and the owner bring the ticket to each status, pressing and typing as people would. */
const TO: Record<string, (d: DeskDriver) => Promise<void>> = {
  recorded: async () => {},
  accepted: async (d) => {
    await d.asStaff({ type: 'button', data: `s|accept|${N1}` }, A);
  },
  in_progress: async (d) => {
    await TO.accepted?.(d);
    await d.asStaff(`/judge ${N1} 物业公司`, A);
  },
  awaiting_agreement: async (d) => {
    await TO.accepted?.(d);
    await d.asStaff(`/plan ${N1} 更换水龙头阀芯`, A);
  },
  scheduled: async (d) => {
    await TO.accepted?.(d);
    await d.asStaff(`/schedule ${N1} 明天10:00`, A);
  },
  resolved: async (d) => {
    await TO.in_progress?.(d);
    await d.asStaff(`/resolve ${N1} 已更换阀芯`, A);
  },
  rejected: async (d) => {
    await TO.accepted?.(d);
    await d.asStaff(`/reject ${N1} 该设施属于业主户内自有部分，物业无法代为更换`, A);
  },
  closed: async (d) => {
    await TO.rejected?.(d);
    await d.ownerPress(zh('rejection.option.ok'));
  },
  reopened: async (d) => {
    await TO.rejected?.(d);
    await d.ownerPress(zh('rejection.option.review'));
  },
};

async function at(status: string): Promise<DeskDriver> {
  const d = await deskDriver();
  await d.fileRepair();
  await TO[status]?.(d);
  expect((await d.ticket()).status).toBe(status);
  return d;
}

/** The actions a card shows now, read from its buttons. */
function shown(d: DeskDriver): string[] {
  return (d.card()?.buttons ?? []).flat().map((b) => b.data);
}

describe('the refusal check itself', () => {
  it('recognises every "you cannot do this now" the desk says, and nothing else', () => {
    expect(isRefusal(zh('desk.refused.status', { number: N1, status: zh('ticket.status.scheduled') }))).toBe(true);
    expect(isRefusal(zh('desk.refused.accept_first', { number: N1, name: '' }))).toBe(true);
    expect(isRefusal(zh('desk.refused.not_accountable', { number: N1, name: '王师傅' }))).toBe(true);
    expect(isRefusal(zh('desk.done.accepted', { number: N1 }))).toBe(false);
    expect(isRefusal(zh('desk.ask.reply', { number: N1, name: '王师傅' }))).toBe(false);
  });
});

describe('every button on every card works for the person it is shown to', () => {
  const statuses = Object.keys(TO) as TicketStatus[];
  for (const status of statuses) {
    it(`${status}: each button pressed answers without a refusal`, async () => {
      const d = await at(status);
      const buttons = shown(d);
      expect(buttons.map((b) => b.split('|')[1])).toEqual((CARD_ACTIONS[status] ?? []).filter((a) => a !== 'draft'));
      for (const data of buttons) {
        // A fresh ticket in the same status for each press: a press may move it on.
        const fresh = await at(status);
        // A new card is for anyone in the room (B has nothing to do with it); afterwards, for the accountable person.
        const who = status === 'recorded' ? B : A;
        await fresh.asStaff({ type: 'button', data }, who);
        expect(fresh.staffHeard.filter(isRefusal), `${status}: ${data}`).toEqual([]);
        // The judging choices it opens work too.
        if (data.startsWith('s|judge|')) {
          for (const choice of shown(fresh)) await fresh.asStaff({ type: 'button', data: choice }, who);
          expect(fresh.staffHeard.filter(isRefusal), `${status}: judging`).toEqual([]);
        }
      }
    });
  }

  it('a supervisor may still decline a new ticket by command; a colleague is told to accept it first', async () => {
    const d = await at('recorded');
    const read = d.from();
    await d.asStaff(`/reject ${N1} 已电话沟通，属于业主户内自有设施`, B);
    expect(read('staff')).toEqual([zh('desk.refused.accept_first', { number: N1, name: '' })]);
    await d.asStaff(`/reject ${N1} 已电话沟通，属于业主户内自有设施`, {
      chatId: 'staff',
      chatKind: 'staff',
      userId: 'sup',
      userName: '赵主管',
    });
    expect((await d.ticket()).status).toBe('rejected');
  });
});
