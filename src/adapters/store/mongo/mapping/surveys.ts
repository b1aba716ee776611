/**
 * Satisfaction surveys (campaigns, invitations, responses, opt-outs) and a ticket's revisit answers ↔
 * their documents. An invitation's document also carries `lastContactAt`, what reminders are due by.
 */

import type { SurveyCampaign, SurveyInvitation, SurveyResponse } from '../../../../core/ports.js';
import type { Ticket } from '../../../../core/tickets/ticket.js';
import { asJson, copyDate, copyDates, need, put, reviveDate, reviveDates, type Stored } from './revive.js';

export type SurveyCampaignDoc = SurveyCampaign;

export interface SurveyInvitationDoc extends SurveyInvitation {
  /** The last contact (`lastRemindedAt`, else `invitedAt`): what reminders are due by. */
  lastContactAt: Date;
}

export type SurveyResponseDoc = SurveyResponse;

export interface SurveyOptOutDoc {
  ownerId: string;
  at: Date;
}

const CAMPAIGN_DATES = ['startAt', 'endAt', 'previewedAt', 'startedAt', 'closedAt', 'invitationsDoneAt'] as const;

const INVITATION_DATES = ['lastRemindedAt', 'answeredAt'] as const;

export function campaignToDoc(campaign: SurveyCampaign): SurveyCampaignDoc {
  const doc: SurveyCampaignDoc = {
    id: campaign.id,
    questionnaireId: campaign.questionnaireId,
    questionnaireVersion: campaign.questionnaireVersion,
    name: campaign.name,
    status: campaign.status,
    target: asJson(campaign.target),
    createdBy: campaign.createdBy,
    createdAt: copyDate(campaign.createdAt),
    updatedAt: copyDate(campaign.updatedAt),
    invitedCount: campaign.invitedCount,
  };
  copyDates(campaign, doc, CAMPAIGN_DATES);
  return doc;
}

export function campaignFromDoc(doc: Stored<SurveyCampaignDoc>): SurveyCampaign {
  const campaign: SurveyCampaign = {
    id: need(doc.id, 'survey_campaign.id'),
    questionnaireId: need(doc.questionnaireId, 'survey_campaign.questionnaireId'),
    questionnaireVersion: need(doc.questionnaireVersion, 'survey_campaign.questionnaireVersion'),
    name: need(doc.name, 'survey_campaign.name'),
    status: need(doc.status, 'survey_campaign.status'),
    target: asJson(need(doc.target, 'survey_campaign.target')),
    createdBy: need(doc.createdBy, 'survey_campaign.createdBy'),
    createdAt: reviveDate(doc.createdAt, 'survey_campaign.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'survey_campaign.updatedAt'),
    invitedCount: need(doc.invitedCount, 'survey_campaign.invitedCount'),
  };
  reviveDates(doc, campaign, CAMPAIGN_DATES, 'survey_campaign');
  return campaign;
}

export function invitationToDoc(invitation: SurveyInvitation): SurveyInvitationDoc {
  const doc: SurveyInvitationDoc = {
    campaignId: invitation.campaignId,
    ownerId: invitation.ownerId,
    status: invitation.status,
    channel: invitation.channel,
    chatId: invitation.chatId,
    invitedAt: copyDate(invitation.invitedAt),
    lastContactAt: copyDate(invitation.lastRemindedAt ?? invitation.invitedAt),
  };
  put(doc, 'building', invitation.building);
  copyDates(invitation, doc, INVITATION_DATES);
  if (invitation.draft !== undefined) doc.draft = asJson(invitation.draft);
  return doc;
}

export function invitationFromDoc(doc: Stored<SurveyInvitationDoc>): SurveyInvitation {
  const invitation: SurveyInvitation = {
    campaignId: need(doc.campaignId, 'survey_invitation.campaignId'),
    ownerId: need(doc.ownerId, 'survey_invitation.ownerId'),
    status: need(doc.status, 'survey_invitation.status'),
    channel: need(doc.channel, 'survey_invitation.channel'),
    chatId: need(doc.chatId, 'survey_invitation.chatId'),
    invitedAt: reviveDate(doc.invitedAt, 'survey_invitation.invitedAt'),
  };
  put(invitation, 'building', doc.building);
  reviveDates(doc, invitation, INVITATION_DATES, 'survey_invitation');
  if (doc.draft !== undefined && doc.draft !== null) invitation.draft = asJson(doc.draft);
  return invitation;
}

export function responseToDoc(response: SurveyResponse): SurveyResponseDoc {
  const doc: SurveyResponseDoc = {
    id: response.id,
    campaignId: response.campaignId,
    ownerId: response.ownerId,
    questionnaireVersion: response.questionnaireVersion,
    answers: asJson(response.answers),
    channel: response.channel,
    submittedAt: copyDate(response.submittedAt),
  };
  put(doc, 'building', response.building);
  return doc;
}

export function responseFromDoc(doc: Stored<SurveyResponseDoc>): SurveyResponse {
  const response: SurveyResponse = {
    id: need(doc.id, 'survey_response.id'),
    campaignId: need(doc.campaignId, 'survey_response.campaignId'),
    ownerId: need(doc.ownerId, 'survey_response.ownerId'),
    questionnaireVersion: need(doc.questionnaireVersion, 'survey_response.questionnaireVersion'),
    answers: asJson(need(doc.answers, 'survey_response.answers')),
    channel: need(doc.channel, 'survey_response.channel'),
    submittedAt: reviveDate(doc.submittedAt, 'survey_response.submittedAt'),
  };
  put(response, 'building', doc.building);
  return response;
}

export function optOutFromDoc(doc: Stored<SurveyOptOutDoc>): Date {
  return reviveDate(doc.at, 'survey_opt_out.at');
}

/** A ticket's revisit: the answers a member of staff took down when calling the owner back. */
export type TicketRevisit = NonNullable<Ticket['revisit']>;

export function revisitToDoc(revisit: TicketRevisit): TicketRevisit {
  const { at, comment, ...answers } = revisit;
  const doc: TicketRevisit = { ...answers, at: new Date(at.getTime()) };
  put(doc, 'comment', comment);
  return doc;
}

export function revisitFromDoc(r: Stored<TicketRevisit>): TicketRevisit {
  const revisit: TicketRevisit = {
    at: reviveDate(r.at, 'ticket.revisit.at'),
    by: need(r.by, 'ticket.revisit.by'),
    solved: need(r.solved, 'ticket.revisit.solved'),
    attitude: need(r.attitude, 'ticket.revisit.attitude'),
    charged: need(r.charged, 'ticket.revisit.charged'),
    score: need(r.score, 'ticket.revisit.score'),
    outcome: need(r.outcome, 'ticket.revisit.outcome'),
  };
  put(revisit, 'comment', r.comment);
  return revisit;
}
