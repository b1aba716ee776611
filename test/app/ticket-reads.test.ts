/**
 * An owner's recent tickets are read for an engine step only when the step looks at them
 * (OwnerConversations.engineStep): a report's answers never read them, while the list, the cancel, a note
 * typed at the menu and the question of which ticket a note is for still have them, read once a message.
 */
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/adapters/store/sqlite/store.js';
import type { InboundContent } from '../../src/core/types.js';
import { countingStore } from '../support/counting-store.js';
import { REPAIR, zh } from '../support/desk-driver.js';
import { makeHarness } from '../support/harness.js';

/** A second report by the same owner: the menu word, and the contact saved from the first kept. */
const REPAIR_AGAIN = ['报修', '1', '3-2-501', '厨房水龙头一直滴水', '1', '1', '1'];

/** An owner's chat on a store that counts its calls; each message says how often it read the owner's tickets. */
async function countedOwner() {
  const { store, calls } = countingStore(await openSqliteStore({ path: ':memory:' }));
  const h = await makeHarness({ store });
  const send = async (content: InboundContent | string) => {
    calls.inTx.length = 0;
    const r = await h.send(content);
    return { ...r, reads: calls.inTx.filter((name) => name === 'listTickets').length };
  };
  const press = async (label: string) => {
    const button = h.lastButtons().find((b) => b.label === label || b.label.startsWith(label));
    if (!button) throw new Error(`no button ${label}: ${h.lastButtons().map((b) => b.label)}`);
    return send({ type: 'button', data: button.data });
  };
  const numbers = async () => (await h.store.listTickets({})).map((t) => t.number).sort();
  return { h, send, press, numbers };
}

describe("an owner's tickets, read only when a step looks at them", () => {
  it('an owner with an open ticket walks a second report without a read of them at any step', async () => {
    const o = await countedOwner();
    for (const line of REPAIR) await o.send(line);
    expect(await o.numbers()).toHaveLength(1);
    for (const line of REPAIR_AGAIN) expect((await o.send(line)).reads, line).toBe(0);
    expect(await o.numbers()).toHaveLength(2);
  });

  it('the list, a cancel, a note at the menu and the question of which ticket still see them, read once', async () => {
    const o = await countedOwner();
    for (const line of [...REPAIR, ...REPAIR_AGAIN]) await o.send(line);
    const [n1, n2] = await o.numbers();
    if (!n1 || !n2) throw new Error('two tickets were to be filed');

    const list = await o.send('/mytickets');
    expect(list.reads).toBe(1);
    expect(list.texts.join('\n')).toContain(n1);
    expect(list.texts.join('\n')).toContain(n2);

    // Cancelled from the list: the question names the ticket, the answer cancels it.
    expect((await o.press(zh('mytickets.cancel_button', { number: n2 }))).reads).toBe(1);
    const yes = await o.press(zh('common.yes'));
    expect(yes.reads).toBe(1);
    expect(yes.texts).toContain(zh('owner.cancelled', { number: n2 }));
    expect((await o.h.store.getTicketByNumber(n2))?.status).toBe('cancelled');

    // Text at the menu with one open ticket goes under it.
    const note = await o.send('阳台也有点渗水');
    expect(note.reads).toBe(1);
    expect(note.texts).toContain(zh('owner.note_added', { number: n1 }));

    // With two open tickets the owner is asked which one, and the note goes under the one picked.
    for (const line of REPAIR_AGAIN) await o.send(line);
    const n3 = (await o.numbers()).at(-1) ?? '';
    const asked = await o.send('卫生间门关不上');
    expect(asked.reads).toBe(1);
    expect(asked.texts.at(-1)).toBe(zh('owner.note_pick'));
    const picked = await o.press(n3);
    expect(picked.reads).toBe(1);
    expect(picked.texts).toContain(zh('owner.note_added', { number: n3 }));
    const third = await o.h.store.getTicketByNumber(n3);
    expect(third?.timeline.at(-1)).toMatchObject({ action: 'owner_message', note: '卫生间门关不上' });
  });
});
