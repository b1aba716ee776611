/** The rules a notice's kind and status bring, and the notice button codec. */
import { describe, expect, it } from 'vitest';
import {
  kindOf,
  mayBeUrgent,
  pestControlShortNotice,
  reminderTime,
  sendsInQuietHours,
} from '../../../src/core/notices/kinds.js';
import {
  goneReason,
  isShown,
  normaliseNoticeId,
  noticeAllows,
  previewCurrent,
  textIn,
} from '../../../src/core/notices/lifecycle.js';
import { NOTICE_KINDS } from '../../../src/core/ports/notices.js';
import {
  CALLBACK_MAX_BYTES,
  callbackBytes,
  decodeOwnerButton,
  decodeStaffButton,
} from '../../../src/core/protocol/buttons.js';
import {
  decodeNoticeButton,
  encodeNoticeButton,
  type NoticeButton,
} from '../../../src/core/protocol/notice-buttons.js';

const DAY = 24 * 3_600_000;
const NOW = new Date('2026-12-07T02:00:00Z');

describe('kinds', () => {
  it('reads the words staff use', () => {
    expect(kindOf('停水')).toBe('outage_water');
    expect(kindOf('Storm')).toBe('weather');
    expect(kindOf('消杀')).toBe('pest_control');
    expect(kindOf('outage_gas')).toBe('outage_gas');
    expect(kindOf('停车')).toBeUndefined();
  });

  it('sends only weather warnings and urgent outages in quiet hours', () => {
    expect(sendsInQuietHours({ kind: 'weather', urgent: false })).toBe(true);
    expect(sendsInQuietHours({ kind: 'outage_water', urgent: true })).toBe(true);
    expect(sendsInQuietHours({ kind: 'outage_water', urgent: false })).toBe(false);
    expect(sendsInQuietHours({ kind: 'event', urgent: true })).toBe(false);
    expect(mayBeUrgent('event')).toBe(false);
  });

  it('warns of pest control less than three days ahead, counted from the send time', () => {
    const in2 = new Date(NOW.getTime() + 2 * DAY);
    expect(pestControlShortNotice({ kind: 'pest_control', validFrom: in2 }, NOW)).toBe(2 * DAY);
    expect(pestControlShortNotice({ kind: 'pest_control', validFrom: new Date(NOW.getTime() + 4 * DAY) }, NOW)).toBe(
      undefined,
    );
    expect(
      pestControlShortNotice(
        {
          kind: 'pest_control',
          validFrom: new Date(NOW.getTime() + 4 * DAY),
          sendAt: new Date(NOW.getTime() + 2 * DAY),
        },
        NOW,
      ),
    ).toBe(2 * DAY);
    expect(pestControlShortNotice({ kind: 'outage_water', validFrom: in2 }, NOW)).toBeUndefined();
  });

  it('reminds of outages a day before, unless that is too close to sending', () => {
    const in3 = new Date(NOW.getTime() + 3 * DAY);
    expect(reminderTime({ kind: 'outage_water', validFrom: in3 }, NOW)).toEqual(new Date(in3.getTime() - DAY));
    expect(reminderTime({ kind: 'outage_water', validFrom: new Date(NOW.getTime() + DAY) }, NOW)).toBeUndefined();
    expect(reminderTime({ kind: 'event', validFrom: in3 }, NOW)).toBeUndefined();
  });
});

describe('lifecycle', () => {
  it('allows each action only from its statuses', () => {
    expect(noticeAllows('draft', 'publish')).toBe(true);
    expect(noticeAllows('published', 'publish')).toBe(false);
    expect(noticeAllows('expired', 'cancel')).toBe(false);
    expect(noticeAllows('cancelled', 'correct')).toBe(false);
    expect(noticeAllows('scheduled', 'expire')).toBe(true);
  });

  it('shows only published notices before their end; says why one is gone', () => {
    const end = new Date(NOW.getTime() + 1000);
    expect(isShown({ status: 'published', validTo: end }, NOW)).toBe(true);
    expect(isShown({ status: 'published', validTo: NOW }, NOW)).toBe(false);
    expect(isShown({ status: 'scheduled', validTo: end }, NOW)).toBe(false);
    expect(goneReason({ status: 'published', validTo: NOW }, NOW)).toBe('expired');
    expect(goneReason({ status: 'cancelled', validTo: end }, NOW)).toBe('cancelled');
    expect(goneReason({ status: 'published', validTo: end }, NOW)).toBeUndefined();
  });

  it('needs a preview after the last change; gives each owner their language, else the other', () => {
    expect(previewCurrent({ updatedAt: NOW })).toBe(false);
    expect(previewCurrent({ updatedAt: NOW, previewedAt: NOW })).toBe(true);
    expect(previewCurrent({ updatedAt: new Date(NOW.getTime() + 1), previewedAt: NOW })).toBe(false);
    expect(textIn({ 'zh-CN': '停水' }, 'en')).toBe('停水');
    expect(textIn({ 'zh-CN': '停水', en: 'Water off' }, 'en')).toBe('Water off');
    expect(normaliseNoticeId('n7')).toBe('N007');
  });
});

describe('notice buttons', () => {
  const all: NoticeButton[] = [
    { type: 'read', noticeId: 'N001' },
    { type: 'report' },
    { type: 'staff', action: 'publish', noticeId: 'N123456' },
    { type: 'staff', action: 'preview', noticeId: 'N002' },
    { type: 'staff', action: 'discard', noticeId: 'N002' },
    { type: 'staff', action: 'status', noticeId: 'N002' },
    ...NOTICE_KINDS.map((kind) => ({ type: 'kind' as const, kind })),
    { type: 'choice', choice: 'quit' },
  ];

  it('round-trips every shape within the 64-byte limit, apart from the staff and owner formats', () => {
    for (const button of all) {
      const data = encodeNoticeButton(button);
      expect(callbackBytes(data)).toBeLessThanOrEqual(CALLBACK_MAX_BYTES);
      expect(decodeNoticeButton(data)).toEqual(button);
      expect(decodeStaffButton(data)).toBeUndefined();
      expect(decodeOwnerButton(data)).toBeUndefined();
    }
  });

  it('refuses anything else', () => {
    for (const data of [
      'n|r|T261128-0001',
      'n|r',
      'n|rep|x',
      'n|pub|N001|x',
      'n|k|parking',
      'n|c|maybe',
      's|accept|N001',
      '1:n|r|N001',
    ])
      expect(decodeNoticeButton(data)).toBeUndefined();
  });
});
