/**
 * Staff commands for survey campaigns: `/survey list|create|preview|start|report|close|export …` read from
 * a staff room, a survey button or `npm run survey`, the dates typed in them, and `SurveyCommands`, which
 * runs a parsed command and words its answer for staff.
 */
import { DateTime } from 'luxon';
import { parseDuration } from '../../core/duration.js';
import type { AnswerSummary } from '../../core/ports/assistant.js';
import type { RenderedChart } from '../../core/ports/charts.js';
import type { StoreTx } from '../../core/ports.js';
import type { OutboundMessage } from '../../core/types.js';
import { recordAudit } from '../audit/trail.js';
import type { SurveyCampaigns } from './campaigns.js';
import type { SurveyPictures } from './pictures.js';
import type { SurveyReports } from './report.js';
import type { SurveyRefusal, SurveySupport } from './support.js';

export type SurveyCommand =
  | { action: 'help' }
  | { action: 'list' }
  | { action: 'create'; questionnaireId: string; name?: string; buildings?: string[]; start?: string; end?: string }
  | { action: 'preview' | 'report' | 'close' | 'export'; campaignId: string }
  | { action: 'start'; campaignId: string; start?: string; end?: string };

/** What `/survey report|close` works out before its transaction: owners' comment themes and the campaign's charts. */
export interface SurveyPrepared {
  themes?: AnswerSummary;
  charts: readonly RenderedChart[];
}

export interface SurveyCommandResult {
  ok: boolean;
  /** For whoever gave the command (the staff room it came from, or the terminal). */
  reply: OutboundMessage[];
  /** Already written to every staff room (the preview, a closing summary): for the terminal to show. */
  posted: OutboundMessage[];
}

/** `S7`, `s007` → `S007`. */
export function normaliseCampaignId(text: string): string {
  const m = text.trim().match(/^s0*(\d{1,6})$/i);
  return m ? `S${m[1]!.padStart(3, '0')}` : text.trim().toUpperCase();
}

/**
 * Reads `/survey list|create|preview|start|report|close|export …` (also `/survey@bot`, `/surveys`);
 * undefined when the text is not a survey command. `create <questionnaire> [name words…] [buildings=3,5]
 * [start=…] [end=…]`; `start <id> [start=…] [end=…]`. Dates are read later, in the business time zone.
 */
export function parseSurveyCommand(text: string): SurveyCommand | undefined {
  const tokens = text.trim().split(/\s+/);
  const head = (tokens[0] ?? '').toLowerCase().replace(/@\w+$/, '');
  if (head !== '/survey' && head !== '/surveys') return undefined;
  const sub = tokens[1]?.toLowerCase();
  const named: Record<string, string> = {};
  const positional: string[] = [];
  for (const token of tokens.slice(2)) {
    const m = token.match(/^([a-zA-Z]+)[=＝](.*)$/);
    if (m) named[m[1]!.toLowerCase()] = m[2] ?? '';
    else positional.push(token);
  }
  const dates = { ...(named.start ? { start: named.start } : {}), ...(named.end ? { end: named.end } : {}) };
  const first = positional[0];
  switch (sub) {
    case 'list':
      return { action: 'list' };
    case 'create': {
      if (!first) return { action: 'help' };
      const name = named.name ?? positional.slice(1).join(' ');
      const buildings =
        named.buildings !== undefined
          ? named.buildings
              .split(/[,，、]/)
              .map((b) => b.trim())
              .filter(Boolean)
          : undefined;
      return {
        action: 'create',
        questionnaireId: first.toLowerCase(),
        ...(name ? { name } : {}),
        ...(buildings ? { buildings } : {}),
        ...dates,
      };
    }
    case 'start':
      return first ? { action: 'start', campaignId: normaliseCampaignId(first), ...dates } : { action: 'help' };
    case 'preview':
    case 'report':
    case 'close':
    case 'export':
      return first ? { action: sub, campaignId: normaliseCampaignId(first) } : { action: 'help' };
    default:
      return { action: 'help' };
  }
}

/**
 * Reads a start or end time typed by staff, in the business `zone`: `now`, `2026-12-01` (09:00 for a
 * start, 23:59 for an end), `2026-12-01T09:00`, or a duration after `base` (`14d`, `36h`).
 */
export function parseWhen(
  text: string,
  role: 'start' | 'end',
  base: Date,
  at: { now: Date; zone: string },
): Date | undefined {
  const { zone } = at;
  const s = text.trim();
  if (/^now$|^现在$/i.test(s)) return at.now;
  const duration = parseDuration(s);
  if (duration !== undefined) return new Date(base.getTime() + duration);
  const day = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/);
  if (day) {
    const d = DateTime.fromObject({ year: Number(day[1]), month: Number(day[2]), day: Number(day[3]) }, { zone });
    if (!d.isValid) return undefined;
    return (role === 'start' ? d.set({ hour: 9 }) : d.set({ hour: 23, minute: 59 })).toJSDate();
  }
  const time = s.match(/^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})$/);
  if (time) {
    const d = DateTime.fromObject(
      {
        year: Number(time[1]),
        month: Number(time[2]),
        day: Number(time[3]),
        hour: Number(time[4]),
        minute: Number(time[5]),
      },
      { zone },
    );
    return d.isValid ? d.toJSDate() : undefined;
  }
  return undefined;
}

/** Runs staff's survey commands against the campaigns and the reports. */
export class SurveyCommands {
  constructor(
    private readonly kit: SurveySupport,
    private readonly campaigns: SurveyCampaigns,
    private readonly reports: SurveyReports,
    private readonly pictures: SurveyPictures,
  ) {}

  /**
   * Runs a parsed `/survey …` command for `by` (a staff id or `cli:<user>`); the caller checks the role.
   * Each command that did something (all but help and the list) is on the audit log, in `tx`.
   */
  async command(tx: StoreTx, cmd: SurveyCommand, by: string, prepared?: SurveyPrepared): Promise<SurveyCommandResult> {
    const result = await this.run(tx, cmd, by, prepared);
    if (result.ok && cmd.action !== 'help' && cmd.action !== 'list') {
      const staff = by.startsWith('cli') ? undefined : await tx.getStaff(by);
      await recordAudit(this.kit.ctx, tx, {
        actorId: by,
        ...(staff ? { actorName: staff.displayName, role: staff.role } : {}),
        action: `survey.${cmd.action}`,
        ...(cmd.action === 'create'
          ? { detail: { questionnaire: cmd.questionnaireId } }
          : { subject: { kind: 'campaign' as const, id: cmd.campaignId } }),
      });
    }
    return result;
  }

  private async run(
    tx: StoreTx,
    cmd: SurveyCommand,
    by: string,
    prepared?: SurveyPrepared,
  ): Promise<SurveyCommandResult> {
    const themes = prepared?.themes;
    const charts = prepared?.charts ?? [];
    const say = (key: string, p?: Record<string, string | number>): SurveyCommandResult => ({
      ok: false,
      reply: [{ text: this.kit.staffT(key, p) }],
      posted: [],
    });
    const done = (reply: OutboundMessage[], posted: OutboundMessage[] = []): SurveyCommandResult => ({
      ok: true,
      reply,
      posted,
    });
    const refuse = async (r: { reason: SurveyRefusal; detail?: string }, id = ''): Promise<SurveyCommandResult> => {
      switch (r.reason) {
        case 'unknown_questionnaire':
          return say('survey.cmd.unknown_questionnaire', {
            id: r.detail ?? '',
            available: [...this.kit.questionnaires.keys()].join(', ') || '—',
          });
        case 'unknown_campaign':
          return say('survey.cmd.unknown_campaign', { id });
        case 'bad_state': {
          const c = await tx.getSurveyCampaign(id);
          return say('survey.cmd.bad_state', { id, status: this.kit.staffT(`survey.status.${c?.status ?? 'draft'}`) });
        }
        case 'not_previewed':
          return say('survey.cmd.not_previewed', { id });
        case 'bad_period':
          return say('survey.cmd.bad_period');
        case 'bad_date':
          return say('survey.cmd.bad_date', { value: r.detail ?? '' });
        case 'bad_buildings':
          return say('survey.cmd.bad_buildings');
      }
    };
    const when = (cmdDates: { start?: string; end?: string }, base?: Date) => {
      const now = this.kit.now();
      const at = { now, zone: this.kit.ctx.settings.timeZone };
      const startAt = cmdDates.start !== undefined ? parseWhen(cmdDates.start, 'start', now, at) : undefined;
      if (cmdDates.start !== undefined && !startAt)
        return { ok: false as const, reason: 'bad_date' as const, detail: cmdDates.start };
      const endAt = cmdDates.end !== undefined ? parseWhen(cmdDates.end, 'end', startAt ?? base ?? now, at) : undefined;
      if (cmdDates.end !== undefined && !endAt)
        return { ok: false as const, reason: 'bad_date' as const, detail: cmdDates.end };
      return { ok: true as const, startAt, endAt };
    };

    switch (cmd.action) {
      case 'help':
        return { ok: true, reply: [{ text: this.kit.staffT('survey.cmd.help') }], posted: [] };
      case 'list':
        return done(await this.reports.list(tx));
      case 'create': {
        const dates = when(cmd);
        if (!dates.ok) return refuse(dates);
        const result = await this.campaigns.create(tx, {
          questionnaireId: cmd.questionnaireId,
          ...(cmd.name ? { name: cmd.name } : {}),
          ...(cmd.buildings ? { target: { kind: 'buildings', buildings: cmd.buildings } } : {}),
          ...(dates.startAt ? { startAt: dates.startAt } : {}),
          ...(dates.endAt ? { endAt: dates.endAt } : {}),
          createdBy: by,
        });
        if (!result.ok) return refuse(result);
        const c = result.value;
        return done([
          {
            text: this.kit.staffT('survey.cmd.created', {
              id: c.id,
              name: c.name,
              questionnaire: c.questionnaireId,
              version: c.questionnaireVersion,
              target: this.kit.targetText(c.target),
              period: this.kit.periodText(c.startAt, c.endAt),
            }),
            buttons: this.kit.buttons(c.id, ['preview']),
          },
        ]);
      }
      case 'preview': {
        const result = await this.campaigns.preview(tx, cmd.campaignId);
        return result.ok ? done([], result.value) : refuse(result, cmd.campaignId);
      }
      case 'start': {
        const existing = await tx.getSurveyCampaign(cmd.campaignId);
        const dates = when(cmd, existing?.startAt);
        if (!dates.ok) return refuse(dates);
        const result = await this.campaigns.start(tx, cmd.campaignId, {
          ...(dates.startAt ? { startAt: dates.startAt } : {}),
          ...(dates.endAt ? { endAt: dates.endAt } : {}),
        });
        if (!result.ok) return refuse(result, cmd.campaignId);
        const c = result.value;
        const key = c.status === 'scheduled' ? 'survey.cmd.scheduled' : 'survey.cmd.started';
        return done([
          {
            text: this.kit.staffT(key, { id: c.id, start: this.kit.time(c.startAt), end: this.kit.time(c.endAt) }),
            buttons: this.kit.buttons(c.id, ['report']),
          },
        ]);
      }
      case 'report': {
        // The charts drawn before the transaction (pictures.ts) go with the text, as one album.
        const result = await this.reports.report(tx, cmd.campaignId, themes);
        if (!result.ok) return refuse(result, cmd.campaignId);
        return done(await this.pictures.attach(tx, result.value.messages, charts));
      }
      case 'close': {
        const result = await this.campaigns.close(tx, cmd.campaignId, themes, charts);
        if (!result.ok) return refuse(result, cmd.campaignId);
        return done([{ text: this.kit.staffT('survey.cmd.closed', { id: cmd.campaignId }) }], result.value.summary);
      }
      case 'export':
        return done([{ text: this.kit.staffT('survey.cmd.export_hint', { id: cmd.campaignId }) }]);
    }
  }
}
