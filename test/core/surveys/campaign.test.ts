import { describe, expect, it } from 'vitest';
import type { SurveyCampaignStatus } from '../../../src/core/ports.js';
import {
  buildingFor,
  CAMPAIGN_RULES,
  CAMPAIGN_STATUSES,
  type CampaignAction,
  campaignAllows,
  campaignOpenFor,
  campaignTransition,
} from '../../../src/core/surveys/campaign.js';

const allowed = (action: CampaignAction) => CAMPAIGN_STATUSES.filter((s) => campaignAllows(s, action));

describe('campaign transition table', () => {
  it('runs a campaign draft → scheduled → running → closed, or draft → running', () => {
    let status: SurveyCampaignStatus = 'draft';
    for (const [action, next] of [
      ['schedule', 'scheduled'],
      ['begin', 'running'],
      ['close', 'closed'],
    ] as const) {
      const t = campaignTransition(status, action);
      expect(t).toEqual({ ok: true, status: next });
      if (t.ok) status = t.status;
    }
    expect(campaignTransition('draft', 'start')).toEqual({ ok: true, status: 'running' });
    expect(campaignTransition('scheduled', 'close')).toEqual({ ok: true, status: 'closed' });
  });

  it('starts only a draft and closes only a scheduled or running campaign', () => {
    expect(allowed('start')).toEqual(['draft']);
    expect(allowed('schedule')).toEqual(['draft']);
    expect(allowed('close')).toEqual(['scheduled', 'running']);
    for (const s of ['scheduled', 'running', 'closed'] as const)
      expect(campaignTransition(s, 'start')).toEqual({ ok: false, reason: 'bad_state' });
    expect(campaignTransition('draft', 'close')).toEqual({ ok: false, reason: 'bad_state' });
    expect(campaignTransition('closed', 'close')).toEqual({ ok: false, reason: 'bad_state' });
  });

  it('invites from the scheduled start, reminds and resumes only while running, withdraws once closed', () => {
    expect(allowed('invite')).toEqual(['scheduled', 'running']);
    expect(allowed('remind')).toEqual(['running']);
    expect(allowed('resume')).toEqual(['running']);
    expect(allowed('withdraw')).toEqual(['closed']);
    expect(allowed('answer')).toEqual(['draft', 'scheduled', 'running']);
  });

  it('previews and reports in every status without changing it', () => {
    for (const s of CAMPAIGN_STATUSES) {
      expect(campaignTransition(s, 'preview')).toEqual({ ok: true, status: s });
      expect(campaignTransition(s, 'report')).toEqual({ ok: true, status: s });
    }
  });

  it('leads only to known statuses and never back to a draft', () => {
    for (const rule of Object.values(CAMPAIGN_RULES)) {
      expect(rule.from.length).toBeGreaterThan(0);
      for (const s of rule.from) expect(CAMPAIGN_STATUSES).toContain(s);
      if (rule.to) expect(rule.to).not.toBe('draft');
    }
  });

  it('is open for an action until the end date', () => {
    const endAt = new Date('2026-12-15T15:59:00Z');
    const before = new Date('2026-12-15T15:58:59Z');
    expect(campaignOpenFor({ status: 'running', endAt }, 'answer', before)).toBe(true);
    expect(campaignOpenFor({ status: 'running', endAt }, 'answer', endAt)).toBe(false);
    expect(campaignOpenFor({ status: 'running' }, 'remind', endAt)).toBe(true);
    expect(campaignOpenFor({ status: 'closed', endAt }, 'answer', before)).toBe(false);
    expect(campaignOpenFor({ status: 'scheduled', endAt }, 'remind', before)).toBe(false);
  });
});

describe('buildingFor', () => {
  it('takes the first known building for everyone, or the one in the target', () => {
    const owner = { units: ['03-2-501', '5栋1单元101'] };
    expect(buildingFor(owner, { kind: 'all' })).toBe('3');
    expect(buildingFor(owner, { kind: 'buildings', buildings: ['5'] })).toBe('5');
    expect(buildingFor(owner, { kind: 'buildings', buildings: ['003'] })).toBe('3');
    expect(buildingFor(owner, { kind: 'buildings', buildings: ['7'] })).toBeUndefined();
    expect(buildingFor({ units: [] }, { kind: 'all' })).toBeUndefined();
  });
});
