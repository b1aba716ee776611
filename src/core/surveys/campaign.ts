/**
 * A survey campaign's life, as data: draft → scheduled → running → closed (a draft may also go straight to
 * running), which actions each status allows and where they lead. Pure; the app asks this table instead of
 * comparing statuses by hand, so that a new status or action is one row here.
 *
 * Also the campaign's target: which building of an owner a campaign counts them in.
 */
import { parseUnit } from '../location.js';
import { parsePlace } from '../notices/target.js';
import type { SurveyCampaign, SurveyCampaignStatus, SurveyTarget } from '../ports.js';
import type { Owner } from '../types.js';

/** Every status a campaign can have, in the order of its life. */
export const CAMPAIGN_STATUSES: readonly SurveyCampaignStatus[] = ['draft', 'scheduled', 'running', 'closed'];

/** What can be done with a campaign, by staff, by the scheduler's jobs or by an owner. */
export type CampaignAction =
  /** Staff review the questionnaire as owners will see it. */
  | 'preview'
  /** Staff start a previewed draft now. */
  | 'start'
  /** Staff start a previewed draft at a later time. */
  | 'schedule'
  /** The first invitation batch of a scheduled campaign: it is running from then on. */
  | 'begin'
  /** A batch of invitations (`survey.invite`). */
  | 'invite'
  /** A round of reminders (`survey.remind`). */
  | 'remind'
  /** An owner submits their answers. */
  | 'answer'
  /** An owner asks for their unfinished questionnaire again (问卷). */
  | 'resume'
  /** Staff close the campaign, or its end date comes (`survey.close`). */
  | 'close'
  /** The closed campaign's questionnaire leaves owners' chats (`survey.withdraw`). */
  | 'withdraw'
  /** The figures and the summary for staff. */
  | 'report';

export interface CampaignRule {
  /** The statuses in which the action is allowed. */
  from: readonly SurveyCampaignStatus[];
  /** The status after the action; absent when the action leaves the status as it is. */
  to?: SurveyCampaignStatus;
}

/** The transition table: for each action, where it is allowed and where it leads. */
export const CAMPAIGN_RULES: Readonly<Record<CampaignAction, CampaignRule>> = {
  preview: { from: CAMPAIGN_STATUSES },
  start: { from: ['draft'], to: 'running' },
  schedule: { from: ['draft'], to: 'scheduled' },
  begin: { from: ['scheduled'], to: 'running' },
  invite: { from: ['scheduled', 'running'] },
  remind: { from: ['running'] },
  answer: { from: ['draft', 'scheduled', 'running'] },
  resume: { from: ['running'] },
  close: { from: ['scheduled', 'running'], to: 'closed' },
  withdraw: { from: ['closed'] },
  report: { from: CAMPAIGN_STATUSES },
};

/** The outcome of an action on a campaign in `status`: the status after it, or a refusal. */
export type CampaignTransition = { ok: true; status: SurveyCampaignStatus } | { ok: false; reason: 'bad_state' };

/** Whether `action` is allowed in `status`. */
export function campaignAllows(status: SurveyCampaignStatus, action: CampaignAction): boolean {
  return CAMPAIGN_RULES[action].from.includes(status);
}

/** The status after `action` on a campaign in `status`, or `bad_state` when the table does not allow it. */
export function campaignTransition(status: SurveyCampaignStatus, action: CampaignAction): CampaignTransition {
  const rule = CAMPAIGN_RULES[action];
  return rule.from.includes(status) ? { ok: true, status: rule.to ?? status } : { ok: false, reason: 'bad_state' };
}

/**
 * Whether `action` is allowed on the campaign at `now`: its status allows it and its end date (if any) has
 * not come. Invitations, reminders, answers and resuming stop at the end date even before the close job ran.
 */
export function campaignOpenFor(
  c: Pick<SurveyCampaign, 'status' | 'endAt'>,
  action: CampaignAction,
  now: Date,
): boolean {
  return campaignAllows(c.status, action) && (!c.endAt || now.getTime() < c.endAt.getTime());
}

function normBuilding(b: string): string {
  return b.trim().replace(/^0+(?=\d)/, '');
}

/** The building of `unit` as a target names it (`03` → `3`); undefined when the unit has none. */
export function buildingOfUnit(unit: string): string | undefined {
  const b = parseUnit(unit)?.building;
  return b ? normBuilding(b) : undefined;
}

/**
 * The owner's building for a campaign: in the target's buildings (else undefined), or the first known
 * one. An owner who gave no flat is in the building of the QR code they followed the Service Account by.
 */
export function buildingFor(owner: Pick<Owner, 'units' | 'qrBuilding'>, target: SurveyTarget): string | undefined {
  const fromUnits = owner.units.flatMap((u) => {
    const b = buildingOfUnit(u);
    return b ? [b] : [];
  });
  const qr = owner.qrBuilding ? parsePlace(owner.qrBuilding.building) : undefined;
  const buildings = fromUnits.length > 0 || !qr || qr.includes('-') ? fromUnits : [qr];
  if (target.kind === 'all') return buildings[0];
  const wanted = new Set(target.buildings.map(normBuilding));
  return buildings.find((b) => wanted.has(b));
}
