/**
 * The staff commands that send files (issue 19): `/summary 2026-11|2026-Q4` sends the review's text with
 * its charts as one album to the chat it was asked in, and `/export 2026-11` sends the period's ticket
 * workbook as a document to the supervisor or manager who asked — privately where the channel can reach
 * them alone (Telegram, WeChat, WeCom), the group told only that it was sent — and refuses anyone else.
 *
 * Charts and workbooks are made before the message's transaction (`prepare`, like the desk's report
 * texts: drawing five charts or writing a month's workbook must never hold the store), handed into it as
 * data with the message's other prepared work (inbound.ts), and queued with their bytes inside it
 * (files/outbox.ts), so a crash loses nothing; a transaction run again gets the same files. A workbook is
 * made only for someone whose role allows it; the transaction checks the role again.
 */
import type { ParsedStaffCommand } from '../../core/desk/vocabulary.js';
import type { StoreTx } from '../../core/ports.js';
import type { Address, Inbound, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import { chartFiles, type NewFile, sendWithFiles } from '../files/outbox.js';
import type { FileSources, ReviewPictures, TicketWorkbook } from '../files/sources.js';
import { summaryPeriod } from './reports.js';

/** What `prepare` made for one message, passed into its transaction; `failed` is answered there. */
export type FilesPrepared =
  | { kind: 'summary'; review: ReviewPictures }
  | { kind: 'export'; workbook: TicketWorkbook }
  | { kind: 'failed' };

/** The roles that may take the tickets out as a file. */
const MAY_EXPORT: readonly Staff['role'][] = ['supervisor', 'manager'];

/**
 * Where a staff member is reached alone: their private chat with the bot where the platform has one the
 * bot may write to (a Telegram user's id is their private chat's; WeChat and WeCom address a person by
 * their id), else the chat they wrote in.
 */
export function privateAddress(inbound: Inbound): Address {
  if (inbound.chatKind === 'private') return { channel: inbound.channel, chatId: inbound.chatId };
  if (inbound.channel === 'telegram' || inbound.channel === 'wechat' || inbound.channel === 'wecom')
    return { channel: inbound.channel, chatId: inbound.userId };
  return { channel: inbound.channel, chatId: inbound.chatId };
}

export class DeskFiles {
  constructor(
    private readonly ctx: AppContext,
    private readonly sources: FileSources = {},
  ) {}

  private t(key: string, params?: Record<string, string | number>): string {
    return this.ctx.t(this.ctx.staffLocale, key, params);
  }

  /**
   * Before the transaction: the review's charts for `/summary`, the workbook for `/export` (only for a
   * supervisor or manager). Failures are returned as such and answered in the transaction.
   */
  async prepare(inbound: Inbound, parsed: ParsedStaffCommand, role: Staff['role']): Promise<FilesPrepared | undefined> {
    const period = summaryPeriod(parsed.rest.trim(), this.ctx.clock.now(), this.ctx.settings.timeZone);
    if (!period) return undefined;
    try {
      if (parsed.command === 'summary' && this.sources.review) {
        return { kind: 'summary', review: await this.sources.review(period) };
      }
      if (parsed.command === 'export' && this.sources.ticketWorkbook && MAY_EXPORT.includes(role)) {
        const staff: Staff = {
          id: `${inbound.channel}:${inbound.userId}`,
          channel: inbound.channel,
          userId: inbound.userId,
          displayName: inbound.userName ?? inbound.userId,
          role,
          active: true,
        };
        return { kind: 'export', workbook: await this.sources.ticketWorkbook(period, staff) };
      }
    } catch (error) {
      this.ctx.log.error({ err: error, command: parsed.command, period: period.label }, 'a file could not be made');
      return { kind: 'failed' };
    }
    return undefined;
  }

  /** `/summary` with the charts `prepare` drew: true when sent (else the desk answers with the text alone). */
  async summary(tx: StoreTx, inbound: Inbound, work?: FilesPrepared): Promise<boolean> {
    if (work?.kind !== 'summary') return false;
    const to = { channel: inbound.channel, chatId: inbound.chatId };
    await sendWithFiles(this.ctx, tx, to, { text: work.review.text }, chartFiles(work.review.charts));
    return true;
  }

  /**
   * `/export <period>`: the workbook `prepare` wrote, to a supervisor or manager (the role checked again
   * here), privately where the channel allows.
   */
  async export(tx: StoreTx, inbound: Inbound, staff: Staff, arg: string, work?: FilesPrepared): Promise<void> {
    const here = { channel: inbound.channel, chatId: inbound.chatId };
    const say = (key: string, params?: Record<string, string | number>) =>
      this.ctx.sendTo(tx, here, { text: this.t(key, params) });
    if (!MAY_EXPORT.includes(staff.role)) {
      this.ctx.log.warn({ staff: staff.id, command: 'export' }, 'refused: only supervisors and managers may export');
      return say('files.export.refused');
    }
    const period = summaryPeriod(arg.trim(), this.ctx.clock.now(), this.ctx.settings.timeZone);
    if (!period) return say('files.export.usage');
    if (!this.sources.ticketWorkbook) return say('files.export.unavailable');
    if (work?.kind !== 'export') return say('files.export.failed');
    const { workbook } = work;
    const to = privateAddress(inbound);
    const file: NewFile = { kind: 'document', name: workbook.fileName, mime: workbook.mime, bytes: workbook.bytes };
    const text = this.t('files.export.caption', { period: period.label, count: workbook.tickets });
    await sendWithFiles(this.ctx, tx, to, { text }, [file]);
    if (to.chatId !== here.chatId) await say('files.export.sent_privately', { name: staff.displayName });
  }
}
