/** Satisfaction surveys in SQLite: campaigns, invitations, responses and opt-outs. */
import type Database from 'better-sqlite3';
import type {
  SurveyCampaign,
  SurveyCampaignStatus,
  SurveyInvitation,
  SurveyInvitationStatus,
  SurveyResponse,
  SurveyStore,
} from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { ms, placeholders, reviveDate, StatementCache, withDates, withIsoDates } from './rows.js';

const CAMPAIGN_DATES = [
  'startAt',
  'endAt',
  'createdAt',
  'updatedAt',
  'previewedAt',
  'startedAt',
  'closedAt',
  'invitationsDoneAt',
] as const;
const INVITATION_DATES = ['invitedAt', 'lastRemindedAt', 'answeredAt'] as const;
const RESPONSE_DATES = ['submittedAt'] as const;

function campaignFromDoc(text: string): SurveyCampaign {
  return withDates<SurveyCampaign>(text, 'survey_campaign', CAMPAIGN_DATES);
}

function invitationFromDoc(text: string): SurveyInvitation {
  return withDates<SurveyInvitation>(text, 'survey_invitation', INVITATION_DATES);
}

function responseFromDoc(text: string): SurveyResponse {
  return withDates<SurveyResponse>(text, 'survey_response', RESPONSE_DATES);
}

interface CampaignColumns {
  id: string;
  questionnaire_id: string;
  status: SurveyCampaignStatus;
  created_at: number;
  doc: string;
}

function campaignColumns(c: SurveyCampaign): CampaignColumns {
  return {
    id: c.id,
    questionnaire_id: c.questionnaireId,
    status: c.status,
    created_at: ms(c.createdAt),
    doc: JSON.stringify(withIsoDates(c, CAMPAIGN_DATES)),
  };
}

interface InvitationColumns {
  campaign_id: string;
  owner_id: string;
  status: SurveyInvitationStatus;
  invited_at: number;
  last_contact_at: number;
  doc: string;
}

function invitationColumns(i: SurveyInvitation): InvitationColumns {
  return {
    campaign_id: i.campaignId,
    owner_id: i.ownerId,
    status: i.status,
    invited_at: ms(i.invitedAt),
    last_contact_at: ms(i.lastRemindedAt ?? i.invitedAt),
    doc: JSON.stringify(withIsoDates(i, INVITATION_DATES)),
  };
}

/** The WHERE clause of a campaign listing; undefined when an empty `statuses` matches nothing. */
function campaignFilter(filter: {
  questionnaireId?: string;
  statuses?: readonly SurveyCampaignStatus[];
}): { where: string; params: string[] } | undefined {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.questionnaireId !== undefined) {
    where.push('c.questionnaire_id = ?');
    params.push(filter.questionnaireId);
  }
  if (filter.statuses !== undefined) {
    if (filter.statuses.length === 0) return undefined;
    where.push(`c.status IN (${placeholders(filter.statuses.length)})`);
    params.push(...filter.statuses);
  }
  return { where: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}

export function surveyOps(db: Database.Database): Sync<SurveyStore> {
  const cache = new StatementCache(db);
  const s = {
    insertCampaign: db.prepare<[CampaignColumns]>(
      `INSERT INTO survey_campaigns (id, questionnaire_id, status, created_at, doc)
         VALUES (@id, @questionnaire_id, @status, @created_at, @doc)`,
    ),
    upsertCampaign: db.prepare<[CampaignColumns]>(
      `INSERT INTO survey_campaigns (id, questionnaire_id, status, created_at, doc)
         VALUES (@id, @questionnaire_id, @status, @created_at, @doc)
         ON CONFLICT (id) DO UPDATE SET questionnaire_id = excluded.questionnaire_id, status = excluded.status,
           created_at = excluded.created_at, doc = excluded.doc`,
    ),
    getCampaign: db.prepare<[string], string>('SELECT doc FROM survey_campaigns WHERE id = ?').pluck(),

    addInvitation: db.prepare<[InvitationColumns]>(
      `INSERT INTO survey_invitations (campaign_id, owner_id, status, invited_at, last_contact_at, doc)
         VALUES (@campaign_id, @owner_id, @status, @invited_at, @last_contact_at, @doc)
         ON CONFLICT (campaign_id, owner_id) DO NOTHING`,
    ),
    updateInvitation: db.prepare<[InvitationColumns]>(
      `UPDATE survey_invitations SET status = @status, invited_at = @invited_at, last_contact_at = @last_contact_at,
           doc = @doc
         WHERE campaign_id = @campaign_id AND owner_id = @owner_id`,
    ),
    getInvitation: db
      .prepare<[string, string], string>('SELECT doc FROM survey_invitations WHERE campaign_id = ? AND owner_id = ?')
      .pluck(),
    invitationsOfOwner: db
      .prepare<[string], string>(
        'SELECT doc FROM survey_invitations WHERE owner_id = ? ORDER BY invited_at DESC, campaign_id DESC',
      )
      .pluck(),

    addResponse: db.prepare<[{ campaign_id: string; owner_id: string; id: string; submitted_at: number; doc: string }]>(
      `INSERT INTO survey_responses (campaign_id, owner_id, id, submitted_at, doc)
         VALUES (@campaign_id, @owner_id, @id, @submitted_at, @doc)
         ON CONFLICT (campaign_id, owner_id) DO NOTHING`,
    ),
    getResponse: db
      .prepare<[string, string], string>('SELECT doc FROM survey_responses WHERE campaign_id = ? AND owner_id = ?')
      .pluck(),
    listResponses: db
      .prepare<[string], string>('SELECT doc FROM survey_responses WHERE campaign_id = ? ORDER BY submitted_at, id')
      .pluck(),
    // The primary key (campaign_id, owner_id) counts a campaign's responses without reading them.
    countResponses: db.prepare<[string], number>('SELECT count(*) FROM survey_responses WHERE campaign_id = ?').pluck(),

    setOptOut: db.prepare<[string, number]>(
      'INSERT INTO survey_opt_outs (owner_id, at) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    clearOptOut: db.prepare<[string]>('DELETE FROM survey_opt_outs WHERE owner_id = ?'),
    getOptOut: db.prepare<[string], number>('SELECT at FROM survey_opt_outs WHERE owner_id = ?').pluck(),
    listOptOuts: db.prepare<[], string>('SELECT owner_id FROM survey_opt_outs ORDER BY owner_id').pluck(),
  };

  return {
    createSurveyCampaign(campaign) {
      s.insertCampaign.run(campaignColumns(campaign));
    },

    saveSurveyCampaign(campaign) {
      s.upsertCampaign.run(campaignColumns(campaign));
    },

    getSurveyCampaign(id) {
      const doc = s.getCampaign.get(id);
      return doc === undefined ? undefined : campaignFromDoc(doc);
    },

    listSurveyCampaigns(filter = {}) {
      const clause = campaignFilter(filter);
      if (!clause) return [];
      return cache
        .pluck<string>(`SELECT c.doc FROM survey_campaigns c ${clause.where} ORDER BY c.created_at DESC, c.id DESC`)
        .all(...clause.params)
        .map(campaignFromDoc);
    },

    listSurveyCampaignsWithCounts(filter = {}) {
      const clause = campaignFilter(filter);
      if (!clause) return [];
      const limit = filter.limit === undefined ? -1 : Math.max(0, Math.floor(filter.limit));
      return cache
        .get<{ doc: string; responses: number }>(
          `SELECT c.doc, (SELECT count(*) FROM survey_responses r WHERE r.campaign_id = c.id) AS responses
             FROM survey_campaigns c ${clause.where} ORDER BY c.created_at DESC, c.id DESC LIMIT ?`,
        )
        .all(...clause.params, limit)
        .map((row) => ({ campaign: campaignFromDoc(row.doc), responses: row.responses }));
    },

    addSurveyInvitation(invitation) {
      return s.addInvitation.run(invitationColumns(invitation)).changes === 1;
    },

    getSurveyInvitation(campaignId, ownerId) {
      const doc = s.getInvitation.get(campaignId, ownerId);
      return doc === undefined ? undefined : invitationFromDoc(doc);
    },

    updateSurveyInvitation(invitation) {
      s.updateInvitation.run(invitationColumns(invitation));
    },

    listSurveyInvitations(campaignId, filter = {}) {
      const where = ['campaign_id = ?'];
      const params: (string | number)[] = [campaignId];
      if (filter.statuses !== undefined) {
        if (filter.statuses.length === 0) return [];
        where.push(`status IN (${placeholders(filter.statuses.length)})`);
        params.push(...filter.statuses);
      }
      if (filter.contactedBefore !== undefined) {
        where.push('last_contact_at < ?');
        params.push(ms(filter.contactedBefore));
      }
      let sql = `SELECT doc FROM survey_invitations WHERE ${where.join(' AND ')} ORDER BY invited_at, owner_id`;
      if (filter.limit !== undefined) {
        sql += ' LIMIT ?';
        params.push(filter.limit);
      }
      return cache
        .pluck<string>(sql)
        .all(...params)
        .map(invitationFromDoc);
    },

    listSurveyInvitationsOfOwner(ownerId) {
      return s.invitationsOfOwner.all(ownerId).map(invitationFromDoc);
    },

    addSurveyResponse(response) {
      return (
        s.addResponse.run({
          campaign_id: response.campaignId,
          owner_id: response.ownerId,
          id: response.id,
          submitted_at: ms(response.submittedAt),
          doc: JSON.stringify(withIsoDates(response, RESPONSE_DATES)),
        }).changes === 1
      );
    },

    getSurveyResponse(campaignId, ownerId) {
      const doc = s.getResponse.get(campaignId, ownerId);
      return doc === undefined ? undefined : responseFromDoc(doc);
    },

    listSurveyResponses(campaignId) {
      return s.listResponses.all(campaignId).map(responseFromDoc);
    },

    countSurveyResponses(campaignId) {
      return s.countResponses.get(campaignId) ?? 0;
    },

    setSurveyOptOut(ownerId, at) {
      s.setOptOut.run(ownerId, ms(at));
    },

    clearSurveyOptOut(ownerId) {
      return s.clearOptOut.run(ownerId).changes === 1;
    },

    getSurveyOptOut(ownerId) {
      const at = s.getOptOut.get(ownerId);
      return at === undefined ? undefined : reviveDate(at, 'survey_opt_outs.at');
    },

    listSurveyOptOuts() {
      return s.listOptOuts.all();
    },
  };
}
