/**
 * Jobs and the outbox ↔ their documents: the two leased work queues, which keep their lease (owner,
 * until, last error) the same way. Job payloads and outbound actions are opaque JSON to the store.
 */

import type { Job, OutboxItem } from '../../../../core/ports.js';
import type { Channel, OutboundAction } from '../../../../core/types.js';
import { asJson, copyDate, need, optionalDate, put, reviveDate, type Stored } from './revive.js';

export interface JobDoc {
  id: string;
  type: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  status: Job['status'];
  attempts: number;
  key?: string;
  /** The key while the job is pending or running, absent otherwise: unique (see INDEXES.jobs). */
  unfinishedKey?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface OutboxDoc {
  id: string;
  seq: number;
  channel: Channel;
  chatId: string;
  action: OutboundAction;
  status: OutboxItem['status'];
  attempts: number;
  notBefore: Date;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  platformMessageId?: string;
  /** Set (true) on cosmetic items only (see NewOutboxItem.cosmetic). */
  cosmetic?: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface MessageRefDoc {
  channel: Channel;
  chatId: string;
  ref: string;
  platformMessageId: string;
}

/** The lease a job or an outbox item carries while a worker holds it, and the last failure. */
interface Lease {
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
}

function leaseToDoc(lease: Lease, doc: Lease): void {
  put(doc, 'leaseOwner', lease.leaseOwner);
  if (lease.leaseUntil) doc.leaseUntil = copyDate(lease.leaseUntil);
  put(doc, 'lastError', lease.lastError);
}

function leaseFromDoc(doc: Stored<Lease>, lease: Lease, label: string): void {
  put(lease, 'leaseOwner', doc.leaseOwner);
  put(lease, 'leaseUntil', optionalDate(doc.leaseUntil, `${label}.leaseUntil`));
  put(lease, 'lastError', doc.lastError);
}

/** A job as stored, with every field the port shows (used for new jobs and for migrated ones). */
export function jobToDoc(job: Job): JobDoc {
  const doc: JobDoc = {
    id: job.id,
    type: job.type,
    dueAt: new Date(job.dueAt.getTime()),
    payload: asJson(job.payload),
    status: job.status,
    attempts: job.attempts,
    createdAt: new Date(job.createdAt.getTime()),
    updatedAt: new Date(job.updatedAt.getTime()),
  };
  put(doc, 'key', job.key);
  if (job.key !== undefined && (job.status === 'pending' || job.status === 'running')) doc.unfinishedKey = job.key;
  leaseToDoc(job, doc);
  return doc;
}

export function jobFromDoc(doc: Stored<JobDoc>): Job {
  const job: Job = {
    id: need(doc.id, 'job.id'),
    type: need(doc.type, 'job.type'),
    dueAt: reviveDate(doc.dueAt, 'job.dueAt'),
    payload: asJson(need(doc.payload, 'job.payload')),
    status: need(doc.status, 'job.status'),
    attempts: need(doc.attempts, 'job.attempts'),
    createdAt: reviveDate(doc.createdAt, 'job.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'job.updatedAt'),
  };
  put(job, 'key', doc.key);
  leaseFromDoc(doc, job, 'job');
  return job;
}

/** An outbox item as stored under `seq`; `updatedAt` defaults to its creation. */
export function outboxToDoc(item: Omit<OutboxItem, 'seq'>, seq: number, updatedAt: Date = item.createdAt): OutboxDoc {
  const doc: OutboxDoc = {
    id: item.id,
    seq,
    channel: item.channel,
    chatId: item.chatId,
    action: asJson(item.action),
    status: item.status,
    attempts: item.attempts,
    notBefore: new Date(item.notBefore.getTime()),
    createdAt: new Date(item.createdAt.getTime()),
    updatedAt: new Date(updatedAt.getTime()),
  };
  leaseToDoc(item, doc);
  put(doc, 'platformMessageId', item.platformMessageId);
  if (item.cosmetic) doc.cosmetic = true;
  return doc;
}

export function outboxFromDoc(doc: Stored<OutboxDoc>): OutboxItem {
  const item: OutboxItem = {
    id: need(doc.id, 'outbox.id'),
    seq: need(doc.seq, 'outbox.seq'),
    channel: need(doc.channel, 'outbox.channel'),
    chatId: need(doc.chatId, 'outbox.chatId'),
    action: asJson(need(doc.action, 'outbox.action')),
    status: need(doc.status, 'outbox.status'),
    attempts: need(doc.attempts, 'outbox.attempts'),
    notBefore: reviveDate(doc.notBefore, 'outbox.notBefore'),
    createdAt: reviveDate(doc.createdAt, 'outbox.createdAt'),
  };
  leaseFromDoc(doc, item, 'outbox');
  put(item, 'platformMessageId', doc.platformMessageId);
  if (doc.cosmetic) item.cosmetic = true;
  return item;
}
