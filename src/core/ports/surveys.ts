import type { AnswerValue } from '../flow/state.js';
import type { Channel } from '../types.js';

export type SurveyCampaignStatus = 'draft' | 'scheduled' | 'running' | 'closed';

/** Who a campaign invites: every reachable owner, or the owners of some buildings (3 in 3-2-501). */
export type SurveyTarget = { kind: 'all' } | { kind: 'buildings'; buildings: string[] };

/** One run of a questionnaire (满意度调查): planned, previewed, run between two dates, then analysed. */
export interface SurveyCampaign {
  /** Short and typed by people, e.g. S007. */
  id: string;
  questionnaireId: string;
  questionnaireVersion: number;
  name: string;
  status: SurveyCampaignStatus;
  target: SurveyTarget;
  startAt?: Date;
  endAt?: Date;
  /** Staff id, or `cli:<user>`. */
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** When staff last reviewed it as owners will see it (a campaign starts only after a preview). */
  previewedAt?: Date;
  startedAt?: Date;
  closedAt?: Date;
  /** Owners invited so far. */
  invitedCount: number;
  /** When the invitations finished: every eligible owner had been invited. */
  invitationsDoneAt?: Date;
}

export type SurveyInvitationStatus = 'invited' | 'reminded1' | 'reminded2' | 'answered' | 'declined';

/** One owner invited to one campaign (unique per campaign and owner): nobody is invited twice. */
export interface SurveyInvitation {
  campaignId: string;
  ownerId: string;
  status: SurveyInvitationStatus;
  /** Where the invitation went. */
  channel: Channel;
  chatId: string;
  /** The owner's building in the campaign's target, when known. */
  building?: string;
  invitedAt: Date;
  lastRemindedAt?: Date;
  answeredAt?: Date;
  /** Answers given before the owner stopped the questionnaire, offered back when they return. */
  draft?: Record<string, AnswerValue>;
}

/** One owner's answers to one campaign (unique per campaign and owner). */
export interface SurveyResponse {
  id: string;
  campaignId: string;
  ownerId: string;
  questionnaireVersion: number;
  /** By question id (and `follow_up`); JSON-safe. */
  answers: Record<string, AnswerValue>;
  building?: string;
  channel: Channel;
  submittedAt: Date;
}

/** A campaign in a list, with what the list shows of its progress. */
export interface SurveyCampaignListing {
  campaign: SurveyCampaign;
  responses: number;
}

/** Satisfaction surveys: campaigns, invitations, responses and opt-outs. */
export interface SurveyStore {
  /** Inserts a campaign; StoreError STORE_CONFLICT when its id is taken. */
  createSurveyCampaign(campaign: SurveyCampaign): Promise<void>;
  /** Inserts or replaces a campaign (by id). */
  saveSurveyCampaign(campaign: SurveyCampaign): Promise<void>;
  getSurveyCampaign(id: string): Promise<SurveyCampaign | undefined>;
  /** Newest first (createdAt, then id, descending); an empty `statuses` matches nothing. */
  listSurveyCampaigns(filter?: {
    questionnaireId?: string;
    statuses?: readonly SurveyCampaignStatus[];
  }): Promise<SurveyCampaign[]>;

  /**
   * Records an invitation unless this owner has one for this campaign already: true when it was inserted,
   * false (and nothing changes) otherwise. Called in the transaction that writes the invitation's messages,
   * so a crash loses both or neither and a restart never invites anyone twice.
   */
  addSurveyInvitation(invitation: SurveyInvitation): Promise<boolean>;
  getSurveyInvitation(campaignId: string, ownerId: string): Promise<SurveyInvitation | undefined>;
  /** Replaces an existing invitation (status, reminder, draft); does nothing when there is none. */
  updateSurveyInvitation(invitation: SurveyInvitation): Promise<void>;
  /**
   * A campaign's invitations, oldest first (invitedAt, then ownerId). `contactedBefore` keeps those whose
   * last contact (lastRemindedAt, else invitedAt) is strictly before it; an empty `statuses` matches nothing.
   */
  listSurveyInvitations(
    campaignId: string,
    filter?: { statuses?: readonly SurveyInvitationStatus[]; contactedBefore?: Date; limit?: number },
  ): Promise<SurveyInvitation[]>;
  /** One owner's invitations across campaigns, newest first (invitedAt, then campaignId, descending). */
  listSurveyInvitationsOfOwner(ownerId: string): Promise<SurveyInvitation[]>;

  /** Records a response unless the owner answered this campaign already: true when inserted, false otherwise. */
  addSurveyResponse(response: SurveyResponse): Promise<boolean>;
  getSurveyResponse(campaignId: string, ownerId: string): Promise<SurveyResponse | undefined>;
  /** A campaign's responses, oldest first (submittedAt, then id). */
  listSurveyResponses(campaignId: string): Promise<SurveyResponse[]>;

  /** How many owners answered the campaign; indexed. */
  countSurveyResponses(campaignId: string): Promise<number>;
  /**
   * Campaigns as {@link SurveyStore.listSurveyCampaigns} orders and filters them, the first `limit` (all when
   * absent), each with its number of responses, counted by the store (one indexed query, not one per campaign).
   */
  listSurveyCampaignsWithCounts(filter?: {
    questionnaireId?: string;
    statuses?: readonly SurveyCampaignStatus[];
    limit?: number;
  }): Promise<SurveyCampaignListing[]>;

  /** Remembers that the owner wants no more surveys; a second call keeps the first instant. */
  setSurveyOptOut(ownerId: string, at: Date): Promise<void>;
  /** Forgets the opt-out; true when there was one. */
  clearSurveyOptOut(ownerId: string): Promise<boolean>;
  getSurveyOptOut(ownerId: string): Promise<Date | undefined>;
  /** Every owner who opted out, by id (sorted). */
  listSurveyOptOuts(): Promise<string[]>;
}
