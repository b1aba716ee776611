/**
 * Notices and their deliveries ↔ their documents: the port's objects as they are, instants as dates
 * (corrections' instants too), targets and texts kept as JSON.
 */

import type { Notice, NoticeDelivery } from '../../../../core/ports.js';
import { asJson, copyDate, copyDates, need, put, reviveDate, reviveDates, type Stored } from './revive.js';

/** Notices: the port's object as it is (instants as dates, corrections' instants too). */
export type NoticeDoc = Notice;

/** One delivery per notice and owner (see INDEXES.noticeDeliveries). */
export type NoticeDeliveryDoc = NoticeDelivery;

const NOTICE_DATES = [
  'sendAt',
  'previewedAt',
  'publishedAt',
  'sentDoneAt',
  'cancelledAt',
  'expiredAt',
  'remindedAt',
] as const;
const DELIVERY_DATES = ['readAt', 'remindedAt'] as const;

export function noticeToDoc(notice: Notice): NoticeDoc {
  const doc: NoticeDoc = {
    id: notice.id,
    kind: notice.kind,
    urgent: notice.urgent,
    target: asJson(notice.target),
    text: asJson(notice.text),
    validFrom: copyDate(notice.validFrom),
    validTo: copyDate(notice.validTo),
    status: notice.status,
    createdBy: notice.createdBy,
    createdAt: copyDate(notice.createdAt),
    updatedAt: copyDate(notice.updatedAt),
    corrections: notice.corrections.map((c) => ({ at: copyDate(c.at), by: c.by, text: asJson(c.text) })),
  };
  if (notice.photo) doc.photo = { channel: notice.photo.channel, fileRef: notice.photo.fileRef };
  copyDates(notice, doc, NOTICE_DATES);
  put(doc, 'publishedBy', notice.publishedBy);
  return doc;
}

export function noticeFromDoc(doc: Stored<NoticeDoc>): Notice {
  const notice: Notice = {
    id: need(doc.id, 'notice.id'),
    kind: need(doc.kind, 'notice.kind'),
    urgent: need(doc.urgent, 'notice.urgent'),
    target: asJson(need(doc.target, 'notice.target')),
    text: asJson(need(doc.text, 'notice.text')),
    validFrom: reviveDate(doc.validFrom, 'notice.validFrom'),
    validTo: reviveDate(doc.validTo, 'notice.validTo'),
    status: need(doc.status, 'notice.status'),
    createdBy: need(doc.createdBy, 'notice.createdBy'),
    createdAt: reviveDate(doc.createdAt, 'notice.createdAt'),
    updatedAt: reviveDate(doc.updatedAt, 'notice.updatedAt'),
    corrections: (doc.corrections ?? []).map((c) => ({
      at: reviveDate(c.at, 'notice.corrections.at'),
      by: need(c.by, 'notice.corrections.by'),
      text: asJson(need(c.text, 'notice.corrections.text')),
    })),
  };
  if (doc.photo) {
    notice.photo = {
      channel: need(doc.photo.channel, 'notice.photo.channel'),
      fileRef: need(doc.photo.fileRef, 'notice.photo.fileRef'),
    };
  }
  reviveDates(doc, notice, NOTICE_DATES, 'notice');
  put(notice, 'publishedBy', doc.publishedBy);
  return notice;
}

export function deliveryToDoc(delivery: NoticeDelivery): NoticeDeliveryDoc {
  const doc: NoticeDeliveryDoc = {
    noticeId: delivery.noticeId,
    ownerId: delivery.ownerId,
    channel: delivery.channel,
    chatId: delivery.chatId,
    sentAt: copyDate(delivery.sentAt),
    updatesSent: delivery.updatesSent,
  };
  copyDates(delivery, doc, DELIVERY_DATES);
  return doc;
}

export function deliveryFromDoc(doc: Stored<NoticeDeliveryDoc>): NoticeDelivery {
  const delivery: NoticeDelivery = {
    noticeId: need(doc.noticeId, 'notice_delivery.noticeId'),
    ownerId: need(doc.ownerId, 'notice_delivery.ownerId'),
    channel: need(doc.channel, 'notice_delivery.channel'),
    chatId: need(doc.chatId, 'notice_delivery.chatId'),
    sentAt: reviveDate(doc.sentAt, 'notice_delivery.sentAt'),
    updatesSent: need(doc.updatesSent, 'notice_delivery.updatesSent'),
  };
  reviveDates(doc, delivery, DELIVERY_DATES, 'notice_delivery');
  return delivery;
}
