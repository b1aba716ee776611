/**
 * The MongoDB collections: one mongoose schema each (what a document must hold, with enums for every
 * status; each carries its collection's indexes from indexes.ts) and `registerModels` to compile them on a
 * connection.
 */
import { type Connection, type Model, Schema, type SchemaOptions } from 'mongoose';
import { KNOWLEDGE_TOPICS } from '../../../core/knowledge/entry.js';
import { NOTICE_KINDS } from '../../../core/ports/notices.js';
import { PRAISE_TEAMS } from '../../../core/ports/praise.js';
import { TICKET_STATUSES } from '../../../core/tickets/ticket.js';
import { CATEGORIES, CHANNELS, LOCALES, RESPONSIBILITIES, TICKET_KINDS, URGENCIES } from '../../../core/types.js';
import { COLLECTIONS, type CollectionKey, INDEXES } from './indexes.js';
import type {
  CounterDoc,
  EnquiryDoc,
  InboundDoc,
  JobDoc,
  KnowledgeEntryDoc,
  MessageDoc,
  MessageRefDoc,
  NoticeDeliveryDoc,
  NoticeDoc,
  OutboxDoc,
  OwnerDoc,
  PraiseDoc,
  SettingDoc,
  StaffDoc,
  SurveyCampaignDoc,
  SurveyInvitationDoc,
  SurveyOptOutDoc,
  SurveyResponseDoc,
  ThreadDoc,
  TicketDoc,
} from './mapping.js';

export const JOB_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export const OUTBOX_STATUSES = ['pending', 'sending', 'sent', 'dead'] as const;
/** Job statuses under which a job's `key` must be unique. */
export const UNFINISHED_JOB_STATUSES = ['pending', 'running'] as const;

/** Shared by every schema: no `__v`, no `id` virtual, unknown fields refused, empty objects kept. */
export const OPTIONS: SchemaOptions = {
  versionKey: false,
  id: false,
  strict: 'throw',
  minimize: false,
  autoIndex: false,
  autoCreate: false,
};
/** Shared by every sub-document. */
export const SUB: SchemaOptions = { _id: false, id: false, strict: 'throw', minimize: false };

const channel = { type: String, enum: CHANNELS, required: true };
const requiredString = { type: String, required: true };
const requiredDate = { type: Date, required: true };
const count = { type: Number, required: true, min: 0, validate: Number.isInteger };
const json = { type: Schema.Types.Mixed };

/** A Mixed value that must be present (an empty object counts as present). */
const requiredJson = { type: Schema.Types.Mixed, required: true };

export const inboundSchema = new Schema<InboundDoc>({ channel, messageId: requiredString, at: requiredDate }, OPTIONS);

const identitySchema = new Schema({ channel, userId: requiredString, chatId: requiredString }, SUB);

export const ownerSchema = new Schema<OwnerDoc>(
  {
    id: requiredString,
    identities: { type: [identitySchema], default: undefined, required: true },
    identityKeys: { type: [String], default: undefined },
    name: String,
    phone: String,
    units: { type: [String], default: undefined, required: true },
    qrBuilding: {
      type: new Schema({ estate: requiredString, building: requiredString }, SUB),
      default: undefined,
    },
    locale: { type: String, enum: LOCALES, required: true },
    privacyNoticeShown: { type: Boolean, required: true },
    unreachable: { type: Boolean, required: true },
    createdAt: requiredDate,
    updatedAt: requiredDate,
  },
  OPTIONS,
);

export const staffSchema = new Schema<StaffDoc>(
  {
    id: requiredString,
    channel,
    userId: requiredString,
    displayName: requiredString,
    role: { type: String, enum: ['staff', 'supervisor', 'manager'], required: true },
    active: { type: Boolean, required: true },
  },
  OPTIONS,
);

export const threadSchema = new Schema<ThreadDoc>(
  { channel, chatId: requiredString, ownerId: requiredString, state: requiredJson, updatedAt: requiredDate },
  OPTIONS,
);

export const messageSchema = new Schema<MessageDoc>(
  {
    channel,
    chatId: requiredString,
    seq: count,
    direction: { type: String, enum: ['in', 'out'], required: true },
    at: requiredDate,
    messageId: String,
    body: json,
  },
  OPTIONS,
);

export const counterSchema = new Schema<CounterDoc>({ name: requiredString, value: count }, OPTIONS);

const locationSchema = new Schema(
  {
    kind: { type: String, enum: ['unit', 'public'], required: true },
    building: String,
    unit: String,
    room: String,
    description: String,
  },
  SUB,
);
locationSchema.pre('validate', function checkLocation() {
  const kind = this.get('kind');
  if (kind === 'unit' && (typeof this.get('building') !== 'string' || typeof this.get('room') !== 'string')) {
    this.invalidate('building', 'a flat needs a building and a room');
  }
  if (kind === 'public' && typeof this.get('description') !== 'string') {
    this.invalidate('description', 'a public area needs a description');
  }
});

const actorSchema = new Schema(
  { type: { type: String, enum: ['owner', 'staff', 'system'], required: true }, id: String, name: String },
  SUB,
);

const eventSchema = new Schema(
  {
    at: requiredDate,
    actor: { type: actorSchema, required: true },
    action: requiredString,
    from: { type: String, enum: TICKET_STATUSES },
    to: { type: String, enum: TICKET_STATUSES },
    note: String,
    detail: json,
    data: json,
  },
  SUB,
);

const revisitSchema = new Schema(
  {
    at: requiredDate,
    by: { type: String, enum: ['chat', 'phone'], required: true },
    solved: { type: Boolean, required: true },
    attitude: { type: String, enum: ['satisfied', 'so_so', 'unsatisfied'], required: true },
    charged: { type: Boolean, required: true },
    score: { type: Number, required: true },
    comment: String,
    outcome: { type: String, enum: ['closed', 'reopened'], required: true },
  },
  SUB,
);

export const ticketSchema = new Schema<TicketDoc>(
  {
    id: requiredString,
    number: requiredString,
    kind: { type: String, enum: TICKET_KINDS, required: true },
    category: { type: String, enum: CATEGORIES, required: true },
    urgency: { type: String, enum: URGENCIES, required: true },
    location: { type: locationSchema, default: undefined },
    description: requiredString,
    subject: String,
    demand: String,
    attachments: {
      type: [new Schema({ ref: requiredString, channel, caption: String }, SUB)],
      default: undefined,
      required: true,
    },
    contact: { type: new Schema({ name: requiredString, phone: requiredString }, SUB), default: undefined },
    status: { type: String, enum: TICKET_STATUSES, required: true },
    responsibility: { type: String, enum: RESPONSIBILITIES, required: true },
    ownerId: requiredString,
    origin: { type: new Schema({ channel, chatId: requiredString }, SUB), required: true },
    assignee: { type: new Schema({ id: requiredString, name: requiredString }, SUB), default: undefined },
    plan: String,
    scheduledFor: Date,
    resolution: String,
    rejection: String,
    reopenCount: count,
    createdAt: requiredDate,
    updatedAt: requiredDate,
    firstResponseAt: Date,
    resolvedAt: Date,
    closedAt: Date,
    summary: String,
    paidWork: Boolean,
    revisit: { type: revisitSchema, default: undefined },
    revisitOutcome: { type: String, enum: ['answered', 'no_response'] },
    timeline: { type: [eventSchema], default: undefined, required: true },
  },
  OPTIONS,
);

export const jobSchema = new Schema<JobDoc>(
  {
    id: requiredString,
    type: requiredString,
    dueAt: requiredDate,
    payload: requiredJson,
    status: { type: String, enum: JOB_STATUSES, required: true },
    attempts: count,
    key: String,
    unfinishedKey: String,
    leaseOwner: String,
    leaseUntil: Date,
    lastError: String,
    createdAt: requiredDate,
    updatedAt: requiredDate,
  },
  OPTIONS,
);
jobSchema.pre('validate', function checkUnfinishedKey() {
  const key: unknown = this.get('key');
  const unfinished = (UNFINISHED_JOB_STATUSES as readonly unknown[]).includes(this.get('status'));
  const expected = unfinished && typeof key === 'string' ? key : undefined;
  if (this.get('unfinishedKey') !== expected) {
    this.invalidate('unfinishedKey', 'must be the key while the job is pending or running, and absent otherwise');
  }
});

export const outboxSchema = new Schema<OutboxDoc>(
  {
    id: requiredString,
    seq: count,
    channel,
    chatId: requiredString,
    action: requiredJson,
    status: { type: String, enum: OUTBOX_STATUSES, required: true },
    attempts: count,
    notBefore: requiredDate,
    leaseOwner: String,
    leaseUntil: Date,
    lastError: String,
    platformMessageId: String,
    cosmetic: Boolean,
    createdAt: requiredDate,
    updatedAt: requiredDate,
  },
  OPTIONS,
);

export const messageRefSchema = new Schema<MessageRefDoc>(
  { channel, chatId: requiredString, ref: requiredString, platformMessageId: requiredString },
  OPTIONS,
);

export const settingSchema = new Schema<SettingDoc>(
  // An empty string is a value (`required` would refuse it).
  { key: requiredString, value: { type: String, validate: (v: unknown) => typeof v === 'string' } },
  OPTIONS,
);

export const SURVEY_CAMPAIGN_STATUSES = ['draft', 'scheduled', 'running', 'closed'] as const;
export const SURVEY_INVITATION_STATUSES = ['invited', 'reminded1', 'reminded2', 'answered', 'declined'] as const;

export const surveyCampaignSchema = new Schema<SurveyCampaignDoc>(
  {
    id: requiredString,
    questionnaireId: requiredString,
    questionnaireVersion: count,
    name: requiredString,
    status: { type: String, enum: SURVEY_CAMPAIGN_STATUSES, required: true },
    target: requiredJson,
    startAt: Date,
    endAt: Date,
    createdBy: requiredString,
    createdAt: requiredDate,
    updatedAt: requiredDate,
    previewedAt: Date,
    startedAt: Date,
    closedAt: Date,
    invitedCount: count,
    invitationsDoneAt: Date,
  },
  OPTIONS,
);

export const surveyInvitationSchema = new Schema<SurveyInvitationDoc>(
  {
    campaignId: requiredString,
    ownerId: requiredString,
    status: { type: String, enum: SURVEY_INVITATION_STATUSES, required: true },
    channel,
    chatId: requiredString,
    building: String,
    invitedAt: requiredDate,
    lastRemindedAt: Date,
    answeredAt: Date,
    draft: json,
    lastContactAt: requiredDate,
  },
  OPTIONS,
);

export const surveyResponseSchema = new Schema<SurveyResponseDoc>(
  {
    id: requiredString,
    campaignId: requiredString,
    ownerId: requiredString,
    questionnaireVersion: count,
    answers: requiredJson,
    building: String,
    channel,
    submittedAt: requiredDate,
  },
  OPTIONS,
);

export const surveyOptOutSchema = new Schema<SurveyOptOutDoc>({ ownerId: requiredString, at: requiredDate }, OPTIONS);

export const praiseSchema = new Schema<PraiseDoc>(
  {
    id: requiredString,
    ownerId: requiredString,
    channel,
    text: requiredString,
    team: { type: String, enum: PRAISE_TEAMS, required: true },
    staff: { type: { id: requiredString, name: requiredString, _id: false }, required: false },
    place: String,
    at: requiredDate,
  },
  OPTIONS,
);

export const ENQUIRY_STATUSES = ['answered', 'waiting', 'staff', 'closed'] as const;
export const NOTICE_STATUSES = ['draft', 'scheduled', 'published', 'cancelled', 'expired'] as const;

export const enquirySchema = new Schema<EnquiryDoc>(
  {
    id: requiredString,
    ownerId: requiredString,
    channel,
    chatId: requiredString,
    locale: { type: String, enum: LOCALES, required: true },
    text: requiredString,
    building: String,
    kind: { type: String, enum: ['enquiry', 'notice', 'human'], required: true },
    status: { type: String, enum: ENQUIRY_STATUSES, required: true },
    matched: { type: [String], default: undefined },
    topic: { type: String, enum: KNOWLEDGE_TOPICS },
    helpful: Boolean,
    askedAt: requiredDate,
    dueAt: Date,
    remindedAt: Date,
    escalatedAt: Date,
    answer: String,
    answeredBy: { type: { id: requiredString, name: requiredString, _id: false }, required: false },
    answeredAt: Date,
    savedAs: String,
    updatedAt: requiredDate,
  },
  OPTIONS,
);

export const knowledgeEntrySchema = new Schema<KnowledgeEntryDoc>(
  {
    id: requiredString,
    topic: { type: String, enum: KNOWLEDGE_TOPICS, required: true },
    // Per-language maps (zh-CN, en), kept as they are.
    questions: requiredJson,
    answer: requiredJson,
    keywords: json,
    source: requiredString,
    createdBy: String,
    createdAt: Date,
    fromEnquiry: String,
  },
  OPTIONS,
);

const correctionSchema = new Schema({ at: requiredDate, by: requiredString, text: requiredJson }, SUB);

export const noticeSchema = new Schema<NoticeDoc>(
  {
    id: requiredString,
    kind: { type: String, enum: NOTICE_KINDS, required: true },
    urgent: { type: Boolean, required: true },
    target: requiredJson,
    text: requiredJson,
    photo: { type: { channel, fileRef: requiredString, _id: false }, required: false },
    validFrom: requiredDate,
    validTo: requiredDate,
    sendAt: Date,
    status: { type: String, enum: NOTICE_STATUSES, required: true },
    createdBy: requiredString,
    createdAt: requiredDate,
    updatedAt: requiredDate,
    previewedAt: Date,
    publishedBy: String,
    publishedAt: Date,
    sentDoneAt: Date,
    corrections: { type: [correctionSchema], default: undefined, required: true },
    cancelledAt: Date,
    expiredAt: Date,
    remindedAt: Date,
  },
  OPTIONS,
);

export const noticeDeliverySchema = new Schema<NoticeDeliveryDoc>(
  {
    noticeId: requiredString,
    ownerId: requiredString,
    channel,
    chatId: requiredString,
    sentAt: requiredDate,
    readAt: Date,
    remindedAt: Date,
    updatesSent: count,
  },
  OPTIONS,
);

export const sequenceSchema = new Schema<CounterDoc>({ name: requiredString, value: count }, OPTIONS);

/** Every schema by collection; each carries its collection's `INDEXES`. */
export const SCHEMAS = {
  inbound: inboundSchema,
  owners: ownerSchema,
  staff: staffSchema,
  threads: threadSchema,
  messages: messageSchema,
  counters: counterSchema,
  tickets: ticketSchema,
  jobs: jobSchema,
  outbox: outboxSchema,
  messageRefs: messageRefSchema,
  settings: settingSchema,
  surveyCampaigns: surveyCampaignSchema,
  surveyInvitations: surveyInvitationSchema,
  surveyResponses: surveyResponseSchema,
  surveyOptOuts: surveyOptOutSchema,
  praise: praiseSchema,
  enquiries: enquirySchema,
  knowledgeEntries: knowledgeEntrySchema,
  notices: noticeSchema,
  noticeDeliveries: noticeDeliverySchema,
  sequences: sequenceSchema,
} as const;

for (const key of Object.keys(SCHEMAS) as CollectionKey[]) {
  for (const { key: fields, ...options } of INDEXES[key]) SCHEMAS[key].index(fields, options);
}

export interface Models {
  inbound: Model<InboundDoc>;
  owners: Model<OwnerDoc>;
  staff: Model<StaffDoc>;
  threads: Model<ThreadDoc>;
  messages: Model<MessageDoc>;
  counters: Model<CounterDoc>;
  tickets: Model<TicketDoc>;
  jobs: Model<JobDoc>;
  outbox: Model<OutboxDoc>;
  messageRefs: Model<MessageRefDoc>;
  settings: Model<SettingDoc>;
  surveyCampaigns: Model<SurveyCampaignDoc>;
  surveyInvitations: Model<SurveyInvitationDoc>;
  surveyResponses: Model<SurveyResponseDoc>;
  surveyOptOuts: Model<SurveyOptOutDoc>;
  praise: Model<PraiseDoc>;
  enquiries: Model<EnquiryDoc>;
  knowledgeEntries: Model<KnowledgeEntryDoc>;
  notices: Model<NoticeDoc>;
  noticeDeliveries: Model<NoticeDeliveryDoc>;
  sequences: Model<CounterDoc>;
}

/** Compiles every model on `connection` (once per connection; a second call returns the same models). */
export function registerModels(connection: Connection): Models {
  const model = <T>(key: CollectionKey, schema: Schema<T>): Model<T> => {
    const name = `residesk.${key}`;
    return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema, COLLECTIONS[key]);
  };
  return {
    inbound: model('inbound', inboundSchema),
    owners: model('owners', ownerSchema),
    staff: model('staff', staffSchema),
    threads: model('threads', threadSchema),
    messages: model('messages', messageSchema),
    counters: model('counters', counterSchema),
    tickets: model('tickets', ticketSchema),
    jobs: model('jobs', jobSchema),
    outbox: model('outbox', outboxSchema),
    messageRefs: model('messageRefs', messageRefSchema),
    settings: model('settings', settingSchema),
    surveyCampaigns: model('surveyCampaigns', surveyCampaignSchema),
    surveyInvitations: model('surveyInvitations', surveyInvitationSchema),
    surveyResponses: model('surveyResponses', surveyResponseSchema),
    surveyOptOuts: model('surveyOptOuts', surveyOptOutSchema),
    praise: model('praise', praiseSchema),
    enquiries: model('enquiries', enquirySchema),
    knowledgeEntries: model('knowledgeEntries', knowledgeEntrySchema),
    notices: model('notices', noticeSchema),
    noticeDeliveries: model('noticeDeliveries', noticeDeliverySchema),
    sequences: model('sequences', sequenceSchema),
  };
}
