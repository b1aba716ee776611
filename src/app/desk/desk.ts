/**
 * The staff desk: the whole complaint procedure run from the staff group (domain.md's eight steps).
 *
 * Staff act with buttons on a ticket's card, with text commands (`/accept T261128-0007`, or
 * `T261128-0007 接单` for keyboards without buttons), or by replying to the card. Every action is checked
 * against the staff list, the ticket's status and its owner (routing.ts); every refusal is logged and
 * answered to the person alone where the platform allows. This class routes each staff message to the
 * part that handles it: actions, commands, reports, and the session a button opens (session.ts).
 */
import { parseStaffCommand } from '../../core/desk/vocabulary.js';
import { parseCommand } from '../../core/flow/words.js';
import type { StoreTx } from '../../core/ports.js';
import { decodeStaffButton } from '../../core/protocol/buttons.js';
import type { Inbound, Staff } from '../../core/types.js';
import { recordAudit } from '../audit/trail.js';
import type { AppContext } from '../context.js';
import type { FileSources } from '../files/sources.js';
import { DeskActions } from './actions.js';
import { DeskCommands } from './commands.js';
import { DeskFiles, type FilesPrepared } from './files.js';
import { Judging } from './judging.js';
import { Progress } from './progress.js';
import { DeskReports } from './reports.js';
import { configuredRole, isReplyText, looksLikeCommand, quotedTicket } from './routing.js';
import { DeskPart, type DeskResult, type OwnerSide } from './support.js';

export class StaffDesk extends DeskPart {
  private readonly judging: Judging;
  private readonly actions: DeskActions;
  private readonly commands: DeskCommands;
  private readonly reports: DeskReports;
  private readonly files: DeskFiles;

  constructor(ctx: AppContext, owners: OwnerSide, sources?: FileSources) {
    super(ctx, owners);
    const reports = new DeskReports(ctx, owners);
    const files = new DeskFiles(ctx, sources);
    this.reports = reports;
    this.judging = new Judging(ctx, owners);
    this.actions = new DeskActions(ctx, owners, {
      judging: this.judging,
      progress: new Progress(ctx, owners),
    });
    this.commands = new DeskCommands(ctx, owners, { actions: this.actions, reports, files });
    this.files = files;
  }

  /** Whether a message from a private chat is a staff command (only then is a registered staff member's private message routed here). */
  static looksLikeCommand(inbound: Inbound): boolean {
    return looksLikeCommand(inbound);
  }

  /**
   * The role of a sender who is staff: anyone writing in a staff room, or a registered, active member
   * writing from a private chat. Read outside any transaction, to decide whether a model call is worth it.
   */
  async staffRoleOf(inbound: Inbound): Promise<Staff['role'] | undefined> {
    if (inbound.chatKind === 'staff') return configuredRole(this.ctx.policy, inbound);
    const staff = await this.ctx.store.findStaff(inbound.channel, inbound.userId);
    return staff?.active ? staff.role : undefined;
  }

  /** Records (or refreshes) the staff member behind a staff-room message, with the role configuration gives them. */
  async enrol(tx: StoreTx, inbound: Inbound): Promise<Staff> {
    const id = `${inbound.channel}:${inbound.userId}`;
    const existing = await tx.getStaff(id);
    const role = configuredRole(this.ctx.policy, inbound);
    const displayName = inbound.userName?.trim() || existing?.displayName || inbound.userId;
    const staff: Staff = { id, channel: inbound.channel, userId: inbound.userId, displayName, role, active: true };
    if (!existing || existing.displayName !== displayName || existing.role !== role || !existing.active)
      await tx.saveStaff(staff);
    // The staff list changed (a new member, another role, back in the room): on the audit log.
    const change = !existing
      ? 'staff.added'
      : existing.role !== role
        ? 'staff.role'
        : !existing.active
          ? 'staff.rejoined'
          : undefined;
    if (change)
      await recordAudit(this.ctx, tx, {
        actorId: 'system',
        via: inbound.channel,
        action: change,
        subject: { kind: 'staff', id },
        detail: { role, ...(existing && existing.role !== role ? { previousRole: existing.role } : {}) },
      });
    return staff;
  }

  /**
   * For a "suggest a reply" request: the assistant's draft, computed before the transaction (a model call
   * must never hold the store). Authorization is checked later, inside the transaction.
   */
  async prepareDraft(inbound: Inbound): Promise<string | undefined> {
    const assistant = this.ctx.assistant;
    if (!assistant) return undefined;
    const c = inbound.content;
    let number: string | undefined;
    const button = c.type === 'button' ? decodeStaffButton(c.data) : undefined;
    if (button?.type === 'action' && button.action === 'draft') number = button.number;
    if (c.type === 'text') {
      const parsed = parseStaffCommand(c.text, await quotedTicket(this.ctx.store, inbound));
      if (parsed?.command === 'draft') number = parsed.number;
    }
    if (!number) return undefined;
    // Only for someone who may act on the ticket: a model call is never made for anyone else.
    const role = await this.staffRoleOf(inbound);
    if (!role) return undefined;
    const ticket = await this.ctx.store.getTicketByNumber(number);
    if (!ticket) return undefined;
    if (role === 'staff' && ticket.assignee?.id !== `${inbound.channel}:${inbound.userId}`) return undefined;
    const owner = await this.ctx.store.getOwner(ticket.ownerId);
    const lastOwner = [...ticket.timeline].reverse().find((e) => e.action === 'owner_message' && e.note)?.note;
    return assistant.suggestReply({
      locale: owner?.locale ?? this.ctx.settings.defaultLocale,
      ticketSummary: ticket.summary ?? [...ticket.description].slice(0, 200).join(''),
      ...(ticket.plan ? { plan: ticket.plan } : {}),
      ...(lastOwner ? { lastOwnerMessage: lastOwner } : {}),
    });
  }

  /**
   * For `/tickets`, `/summary` and `/export`: the report's text, read before the transaction through the
   * store's plain reads (a summary over a long history never holds the write lock an owner's message
   * needs), and the files the command sends (files.ts). Only for a sender who is staff; the transaction
   * checks again before sending either.
   */
  async prepareReport(inbound: Inbound): Promise<{ report?: string; files?: FilesPrepared }> {
    const c = inbound.content;
    if (c.type !== 'text') return {};
    const parsed = parseStaffCommand(c.text);
    if (parsed?.command !== 'tickets' && parsed?.command !== 'summary' && parsed?.command !== 'export') return {};
    const role = await this.staffRoleOf(inbound);
    if (!role) return {};
    // The files a command sends (charts, a workbook) are made here too, outside the transaction.
    const files = await this.files.prepare(inbound, parsed, role);
    // A summary drawn with its charts carries its own text: reading the period's figures again is waste.
    if (parsed.command === 'export' || files?.kind === 'summary') return { files };
    const report = await this.reports.prepare(parsed.command, `${inbound.channel}:${inbound.userId}`, parsed.rest);
    return { report, files };
  }

  /** Handles one message or button press from a staff member (`draft`, `report`, `files`: prepared beforehand). */
  async handle(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    draft?: string,
    report?: string,
    files?: FilesPrepared,
  ): Promise<DeskResult> {
    const c = inbound.content;
    if (c.type === 'button') return this.button(tx, inbound, staff, c.data, draft);
    if (c.type === 'photo') return this.photo(tx, inbound, staff, c.fileRef, c.caption);
    if (c.type !== 'text') return {};
    // The desk alone decides what a quote plus text is, the same on every channel: a command word first
    // makes it that command on the quoted ticket (接单, 备注 …); anything else is a reply to its owner.
    const replied = await quotedTicket(tx, inbound);
    const parsed = parseStaffCommand(c.text, replied);
    if (parsed) {
      await this.sessions.end(tx, staff.id);
      return this.commands.command(tx, inbound, staff, parsed, draft, report, files);
    }
    if (replied && c.text.trim().startsWith('/')) {
      // An unknown command under a quote (a typo) is never passed on to the owner.
      await this.say(tx, inbound, this.t('desk.help'));
      return {};
    }
    if (!replied && isOwnerCommand(c.text, this.ctx.registry)) {
      // An owner's command (/mytickets, /start …) typed in the staff room: say where it works instead of silence.
      const key = inbound.channel === 'console' ? 'worksteps.owner_command_console' : 'worksteps.owner_command';
      await this.say(tx, inbound, this.t(key, { command: c.text.trim().split(/\s+/)[0] ?? '' }));
      return {};
    }
    // A quote names its ticket: it wins over text a button asked for on another ticket (which is dropped).
    const session = await this.sessions.take(tx, staff.id);
    if (session && (!replied || replied === session.state.number)) {
      return this.actions.run(tx, inbound, staff, session.current, session.state.number, c.text, false);
    }
    if (replied && isReplyText(c.text, replied))
      return this.actions.run(tx, inbound, staff, 'reply', replied, c.text, false);
    return {}; // staff talking among themselves: no noise
  }

  /** A button under a card, read through the staff button codec; anything not exactly one of its shapes is refused. */
  private async button(
    tx: StoreTx,
    inbound: Inbound,
    staff: Staff,
    data: string,
    draft: string | undefined,
  ): Promise<DeskResult> {
    const button = decodeStaffButton(data);
    switch (button?.type) {
      case 'judge':
        return this.judging.judgeButton(tx, inbound, staff, button.number, button.choice);
      case 'judge_menu':
        return this.judging.judgeMenu(tx, staff, button.number, button.menu);
      case 'handover':
        return this.actions.run(tx, inbound, staff, 'handover', button.number, button.staffId, true);
      case 'action':
        // A suggested reply was drafted before the transaction (prepareDraft).
        return this.actions.run(
          tx,
          inbound,
          staff,
          button.action,
          button.number,
          button.action === 'draft' ? (draft ?? '') : '',
          true,
        );
      default:
        // Survey buttons are the App's (surveyCommandOf); anything else is not ours to read.
        return { ack: { text: this.t('desk.refused.unknown'), alert: true } };
    }
  }

  /**
   * A staff photo goes to the owner with a reply or a resolution: captioned with the command
   * (`/resolve T… 已更换水管`), sent when a 💬 or ✅ button asked for text, or in reply to a card.
   */
  private async photo(tx: StoreTx, inbound: Inbound, staff: Staff, ref: string, caption?: string): Promise<DeskResult> {
    const replied = await quotedTicket(tx, inbound);
    const parsed = caption ? parseStaffCommand(caption, replied) : undefined;
    if (parsed?.number && (parsed.command === 'resolve' || parsed.command === 'reply')) {
      await this.sessions.end(tx, staff.id);
      return this.actions.run(tx, inbound, staff, parsed.command, parsed.number, parsed.rest, false, ref);
    }
    // Any other command in the caption (备注 …) is that command; its photo is not sent to the owner.
    if (parsed && replied) {
      await this.sessions.end(tx, staff.id);
      return this.commands.command(tx, inbound, staff, parsed);
    }
    const session = await this.sessions.read(tx, staff.id);
    if (
      session &&
      (session.current === 'reply' || session.current === 'resolve') &&
      (!replied || replied === session.state.number)
    ) {
      await this.sessions.end(tx, staff.id);
      return this.actions.run(tx, inbound, staff, session.current, session.state.number, caption ?? '', false, ref);
    }
    if (!replied) return {};
    return this.actions.run(tx, inbound, staff, 'reply', replied, caption ?? '', false, ref);
  }
}

/** An owner's command typed as one (`/mytickets`, `/start`, `我的工单`), not staff talk that happens to use a word. */
function isOwnerCommand(text: string, registry: Parameters<typeof parseCommand>[1]): boolean {
  const parsed = parseCommand(text, registry);
  if (!parsed || !('command' in parsed)) return false;
  return text.trim().startsWith('/') || parsed.command === 'mytickets';
}
