/**
 * The desk's text commands, read by the staff vocabulary (core/desk/vocabulary.ts): help, cancel, the
 * lists and the summary, an internal note, a revisit done by phone, and every ticket action by word.
 */
import type { ParsedStaffCommand } from '../../core/desk/vocabulary.js';
import type { StoreTx } from '../../core/ports.js';
import { type Actor, addEvent } from '../../core/tickets/ticket.js';
import type { Inbound, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { DeskActions } from './actions.js';
import type { DeskFiles, FilesPrepared } from './files.js';
import type { DeskReports } from './reports.js';
import { mayAct } from './routing.js';
import { DeskPart, type DeskResult, type OwnerSide } from './support.js';

export class DeskCommands extends DeskPart {
  constructor(
    ctx: AppContext,
    owners: OwnerSide,
    private readonly parts: { actions: DeskActions; reports: DeskReports; files: DeskFiles },
  ) {
    super(ctx, owners);
  }

  async command(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    p: ParsedStaffCommand,
    draft?: string,
    report?: string,
    files?: FilesPrepared,
  ): Promise<DeskResult> {
    if (p.command === 'help') {
      await this.say(tx, inbound, this.t('desk.help'));
      return {};
    }
    if (p.command === 'cancel') return {};
    // Reports are read before the transaction (DeskReports.prepare): `report` is their text.
    if (p.command === 'tickets') return this.parts.reports.listOpen(tx, inbound, staff, report);
    // With the charts drawn before the transaction (`files`, DeskFiles.prepare), else the text alone.
    if (p.command === 'summary' && (await this.parts.files.summary(tx, inbound, files))) return {};
    if (p.command === 'summary') return this.parts.reports.summary(tx, inbound, p.rest, report);
    if (p.command === 'export') {
      await this.parts.files.export(tx, inbound, staff, p.rest, files);
      return {};
    }
    if (!p.number) {
      await this.say(tx, inbound, this.t('desk.need_number', { command: p.command }));
      return {};
    }
    if (p.command === 'revisit') return this.phoneRevisit(tx, inbound, staff, p.number, p.rest);
    if (p.command === 'note') return this.note(tx, inbound, staff, p.number, p.rest);
    if (p.command === 'draft') return this.parts.actions.run(tx, inbound, staff, 'draft', p.number, draft ?? '', false);
    return this.parts.actions.run(tx, inbound, staff, p.command, p.number, p.rest, false);
  }

  /**
   * An internal note on the timeline (what was found on site, a phone call with the owner): step 3 of
   * domain.md on record. Any staff member may add one; the owner never sees it.
   */
  private async note(tx: StoreTx, inbound: Inbound, staff: Staff, number: string, text: string): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, false, 'desk.refused.no_ticket', { number });
    const note = text.trim();
    if ([...note].length < 2) {
      await this.say(tx, inbound, this.t('desk.note_usage', { number }));
      return {};
    }
    const actor: Actor = { type: 'staff', id: staff.id, name: staff.displayName };
    await this.changes.apply(tx, {
      ticket: addEvent(ticket, { at: this.ctx.clock.now(), actor, action: 'note', note }),
      card: false,
    });
    await this.say(tx, inbound, this.t('desk.note_added', { number }), ticket);
    return {};
  }

  /** The accountable person (or a supervisor) records a revisit done by phone. */
  private async phoneRevisit(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    number: string,
    text: string,
  ): Promise<DeskResult> {
    const ticket = await tx.getTicketByNumber(number);
    if (!ticket) return this.refuse(tx, inbound, false, 'desk.refused.no_ticket', { number });
    if (!mayAct(staff, ticket)) {
      this.ctx.log.warn({ ticket: number, action: 'revisit', staff: staff.id }, 'refused: not the accountable person');
      return this.refuse(tx, inbound, false, 'desk.refused.not_accountable', {
        number,
        name: ticket.assignee?.name ?? '',
      });
    }
    const result = await this.owners.revisitByPhone(tx, ticket, text, {
      type: 'staff',
      id: staff.id,
      name: staff.displayName,
    });
    await this.say(tx, inbound, result.message, ticket);
    return {};
  }
}
