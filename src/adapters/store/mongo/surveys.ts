/** Satisfaction surveys in MongoDB: campaigns, invitations, responses and opt-outs. */
import {
  StoreError,
  type SurveyCampaign,
  type SurveyCampaignListing,
  type SurveyCampaignStatus,
  type SurveyInvitation,
  type SurveyInvitationStatus,
  type SurveyResponse,
  type SurveyStore,
} from '../../../core/ports.js';
import {
  campaignFromDoc,
  campaignToDoc,
  invitationFromDoc,
  invitationToDoc,
  optOutFromDoc,
  responseFromDoc,
  responseToDoc,
  type SurveyCampaignDoc,
  type SurveyInvitationDoc,
  type SurveyOptOutDoc,
  type SurveyResponseDoc,
} from './mapping.js';
import { isDuplicateKey, limitOf, MongoOps, upsert } from './transactions.js';

export class MongoSurveys extends MongoOps implements SurveyStore {
  async createSurveyCampaign(campaign: SurveyCampaign): Promise<void> {
    // Checked first so that a refusal inside a transaction does not abort it.
    if (await this.m.surveyCampaigns.exists({ id: campaign.id }).session(this.session ?? null)) {
      throw new StoreError('STORE_CONFLICT', 'createSurveyCampaign: the id is taken');
    }
    await this.m.surveyCampaigns.insertMany([campaignToDoc(campaign)], this.o);
  }

  async saveSurveyCampaign(campaign: SurveyCampaign): Promise<void> {
    const doc = campaignToDoc(campaign);
    await upsert(this.session, () =>
      this.m.surveyCampaigns.replaceOne({ id: campaign.id }, doc, { upsert: true, runValidators: true, ...this.o }),
    );
  }

  async getSurveyCampaign(id: string): Promise<SurveyCampaign | undefined> {
    const doc = await this.m.surveyCampaigns.findOne({ id }, null, this.o).lean<SurveyCampaignDoc>();
    return doc ? campaignFromDoc(doc) : undefined;
  }

  async listSurveyCampaigns(
    filter: { questionnaireId?: string; statuses?: readonly SurveyCampaignStatus[] } = {},
  ): Promise<SurveyCampaign[]> {
    const query: Record<string, unknown> = {};
    if (filter.questionnaireId !== undefined) query.questionnaireId = filter.questionnaireId;
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      query.status = { $in: [...filter.statuses] };
    }
    const docs = await this.m.surveyCampaigns
      .find(query, null, this.o)
      .sort({ createdAt: -1, id: -1 })
      .lean<SurveyCampaignDoc[]>();
    return docs.map(campaignFromDoc);
  }

  async addSurveyInvitation(invitation: SurveyInvitation): Promise<boolean> {
    const { campaignId, ownerId, ...rest } = invitationToDoc(invitation);
    try {
      const result = await this.m.surveyInvitations.updateOne(
        { campaignId, ownerId },
        { $setOnInsert: rest },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      if (!this.session && isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async getSurveyInvitation(campaignId: string, ownerId: string): Promise<SurveyInvitation | undefined> {
    const doc = await this.m.surveyInvitations
      .findOne({ campaignId, ownerId }, null, this.o)
      .lean<SurveyInvitationDoc>();
    return doc ? invitationFromDoc(doc) : undefined;
  }

  async updateSurveyInvitation(invitation: SurveyInvitation): Promise<void> {
    await this.m.surveyInvitations.replaceOne(
      { campaignId: invitation.campaignId, ownerId: invitation.ownerId },
      invitationToDoc(invitation),
      { runValidators: true, ...this.o },
    );
  }

  async listSurveyInvitations(
    campaignId: string,
    filter: { statuses?: readonly SurveyInvitationStatus[]; contactedBefore?: Date; limit?: number } = {},
  ): Promise<SurveyInvitation[]> {
    const query: Record<string, unknown> = { campaignId };
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      query.status = { $in: [...filter.statuses] };
    }
    if (filter.contactedBefore !== undefined) query.lastContactAt = { $lt: filter.contactedBefore };
    const n = filter.limit === undefined ? undefined : limitOf(filter.limit);
    if (n === 0) return [];
    let find = this.m.surveyInvitations.find(query, null, this.o).sort({ invitedAt: 1, ownerId: 1 });
    if (n !== undefined) find = find.limit(n);
    const docs = await find.lean<SurveyInvitationDoc[]>();
    return docs.map(invitationFromDoc);
  }

  async listSurveyInvitationsOfOwner(ownerId: string): Promise<SurveyInvitation[]> {
    const docs = await this.m.surveyInvitations
      .find({ ownerId }, null, this.o)
      .sort({ invitedAt: -1, campaignId: -1 })
      .lean<SurveyInvitationDoc[]>();
    return docs.map(invitationFromDoc);
  }

  /** False when the owner answered already; a response id used by another response is a conflict. */
  async addSurveyResponse(response: SurveyResponse): Promise<boolean> {
    const { campaignId, ownerId, ...rest } = responseToDoc(response);
    if (!this.session) {
      // Outside a transaction a duplicate (campaign, owner) raced in is "answered already", not a conflict.
      const existing = await this.m.surveyResponses.exists({ campaignId, ownerId });
      if (existing) return false;
    } else {
      // Checked first so that a clash of ids does not abort the transaction.
      const clash = await this.m.surveyResponses
        .exists({ id: response.id, $or: [{ campaignId: { $ne: campaignId } }, { ownerId: { $ne: ownerId } }] })
        .session(this.session);
      if (clash) throw new StoreError('STORE_CONFLICT', 'addSurveyResponse: the response id is taken');
    }
    try {
      const result = await this.m.surveyResponses.updateOne(
        { campaignId, ownerId },
        { $setOnInsert: rest },
        { upsert: true, ...this.o },
      );
      return result.upsertedCount === 1;
    } catch (error) {
      if (!this.session && isDuplicateKey(error)) {
        const pattern = (error as { keyPattern?: Record<string, unknown> }).keyPattern;
        if (pattern && 'campaignId' in pattern) return false;
      }
      throw error;
    }
  }

  async getSurveyResponse(campaignId: string, ownerId: string): Promise<SurveyResponse | undefined> {
    const doc = await this.m.surveyResponses.findOne({ campaignId, ownerId }, null, this.o).lean<SurveyResponseDoc>();
    return doc ? responseFromDoc(doc) : undefined;
  }

  async listSurveyResponses(campaignId: string): Promise<SurveyResponse[]> {
    const docs = await this.m.surveyResponses
      .find({ campaignId }, null, this.o)
      .sort({ submittedAt: 1, id: 1 })
      .lean<SurveyResponseDoc[]>();
    return docs.map(responseFromDoc);
  }

  /** Keeps the first instant. */
  async setSurveyOptOut(ownerId: string, at: Date): Promise<void> {
    try {
      await this.m.surveyOptOuts.updateOne(
        { ownerId },
        { $setOnInsert: { at: new Date(at.getTime()) } },
        { upsert: true, ...this.o },
      );
    } catch (error) {
      if (!this.session && isDuplicateKey(error)) return;
      throw error;
    }
  }

  async clearSurveyOptOut(ownerId: string): Promise<boolean> {
    const result = await this.m.surveyOptOuts.deleteOne({ ownerId }, this.o);
    return result.deletedCount === 1;
  }

  async getSurveyOptOut(ownerId: string): Promise<Date | undefined> {
    const doc = await this.m.surveyOptOuts.findOne({ ownerId }, null, this.o).lean<SurveyOptOutDoc>();
    return doc ? optOutFromDoc(doc) : undefined;
  }

  async listSurveyOptOuts(): Promise<string[]> {
    const docs = await this.m.surveyOptOuts
      .find({}, { ownerId: 1 }, this.o)
      .sort({ ownerId: 1 })
      .lean<Pick<SurveyOptOutDoc, 'ownerId'>[]>();
    return docs.map((doc) => doc.ownerId);
  }

  /** Index survey_responses_owner_once (campaignId first). */
  async countSurveyResponses(campaignId: string): Promise<number> {
    return this.m.surveyResponses.countDocuments({ campaignId }).session(this.session ?? null);
  }

  /** The campaigns as listSurveyCampaigns finds them, then one aggregation counting their responses. */
  async listSurveyCampaignsWithCounts(
    filter: { questionnaireId?: string; statuses?: readonly SurveyCampaignStatus[]; limit?: number } = {},
  ): Promise<SurveyCampaignListing[]> {
    const query: Record<string, unknown> = {};
    if (filter.questionnaireId !== undefined) query.questionnaireId = filter.questionnaireId;
    if (filter.statuses !== undefined) {
      if (filter.statuses.length === 0) return [];
      query.status = { $in: [...filter.statuses] };
    }
    const n = filter.limit === undefined ? undefined : limitOf(Math.max(0, filter.limit));
    if (n === 0) return [];
    let find = this.m.surveyCampaigns.find(query, null, this.o).sort({ createdAt: -1, id: -1 });
    if (n !== undefined) find = find.limit(n);
    const campaigns = (await find.lean<SurveyCampaignDoc[]>()).map(campaignFromDoc);
    if (campaigns.length === 0) return [];
    const counted = await this.m.surveyResponses
      .aggregate<{ _id: string; n: number }>([
        { $match: { campaignId: { $in: campaigns.map((c) => c.id) } } },
        { $group: { _id: '$campaignId', n: { $sum: 1 } } },
      ])
      .session(this.session ?? null);
    const responses = new Map(counted.map((c) => [c._id, c.n]));
    return campaigns.map((campaign) => ({ campaign, responses: responses.get(campaign.id) ?? 0 }));
  }
}
