import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bareLabel,
  classifyError,
  localPhotoPath,
  MAX_TEXT,
  renderText,
  splitText,
  staffCommandLine,
} from '../../../../src/adapters/channels/wechat/outbound.js';
import { LEARN_WORDS } from '../../../../src/app/enquiries/learning.js';
import { parseStaffCommand } from '../../../../src/core/desk/vocabulary.js';
import { parseNoticeCommand } from '../../../../src/core/notices/command.js';
import { encodeEnquiryButton } from '../../../../src/core/protocol/enquiry-buttons.js';
import { encodeNoticeButton, type NoticeStaffAction } from '../../../../src/core/protocol/notice-buttons.js';
import type { Locale } from '../../../../src/core/types.js';
import { createI18n, readLocales } from '../../../../src/i18n.js';

describe('renderText', () => {
  it('numbers an owner’s choices after the text, in the order the question offers them', () => {
    const text = renderText({
      text: '请问有什么可以帮您？请选择：',
      buttons: [
        [
          { label: '🔧 报修', data: '3:m.repair' },
          { label: '📝 投诉', data: '3:m.complaint' },
        ],
        [{ label: '💡 建议', data: '3:m.suggestion' }],
      ],
    });
    expect(text).toBe('请问有什么可以帮您？请选择：\n\n1. 🔧 报修\n2. 📝 投诉\n3. 💡 建议');
  });

  it('leaves a message without choices as it is', () => {
    expect(renderText({ text: '已为您登记' })).toBe('已为您登记');
    expect(renderText({ text: '已为您登记', buttons: [] })).toBe('已为您登记');
  });

  it('turns a card’s staff buttons into the commands to type, which the staff desk reads', () => {
    const text = renderText({
      text: '🆕 新工单 T261128-0007',
      buttons: [
        [
          { label: '✋ 受理', data: 's|accept|T261128-0007' },
          { label: '✖ 不予受理', data: 's|reject|T261128-0007' },
          { label: '📞 电话', data: 's|phone|T261128-0007' },
        ],
      ],
    });
    expect(text).toBe(
      '🆕 新工单 T261128-0007\n\n✋ 受理：T261128-0007 接单\n✖ 不予受理：T261128-0007 驳回 …\n📞 电话：T261128-0007 电话',
    );
    const commands = text
      .split('\n')
      .slice(2)
      .map((l) => (l.split('：')[1] ?? '').replace(' …', ' 理由写在这里'));
    expect(commands.map((c) => parseStaffCommand(c)?.command)).toEqual(['accept', 'reject', 'phone']);
  });

  it('uses English command words for an English staff room', () => {
    expect(staffCommandLine({ label: '🔁 Hand over', data: 's|handover|T261128-0007' })).toBe(
      '🔁 Hand over: T261128-0007 handover …',
    );
    expect(staffCommandLine({ label: '✋ Accept', data: 's|accept|T261128-0007' })).toBe(
      '✋ Accept: T261128-0007 accept',
    );
  });

  it('renders judging choices as the judge command with the value', () => {
    const line = staffCommandLine({ label: '✓ 加急', data: 's|ju|T261128-0007|urgent' });
    expect(line).toBe('✓ 加急：T261128-0007 判定 加急');
    expect(parseStaffCommand('T261128-0007 判定 加急')).toMatchObject({ command: 'judge', rest: '加急' });
    expect(staffCommandLine({ label: '✔ 完成', data: 's|jx|T261128-0007' })).toBeUndefined();
    expect(staffCommandLine({ label: '1. 报修', data: '3:m.repair' })).toBeUndefined();
  });

  it('strips leading emoji and marks from labels', () => {
    expect(bareLabel('✓ 🔴 紧急')).toBe('紧急');
    expect(bareLabel('开发商（保修期内）')).toBe('开发商（保修期内）');
  });
});

const i18n = createI18n(readLocales('locales'));
const enquiryButton = (locale: Locale, action: 'answer' | 'learn', id = 'Q012') => ({
  label: i18n.translate(locale, `enquiry_kb.staff.${action}_button`),
  data: encodeEnquiryButton({ audience: 'staff', action, id }),
});
const noticeButton = (locale: Locale, action: NoticeStaffAction, id = 'N001') => ({
  label: i18n.translate(locale, `notice.button.${action}`),
  data: encodeNoticeButton({ type: 'staff', action, noticeId: id }),
});
/** The command after a rendered line's label. */
const commandOf = (line: string) => line.split(/：|: /).slice(1).join(': ');

describe('renderText: enquiries and notices in the staff room', () => {
  it('shows a 咨询 item’s 回答 and 存入知识库 as the lines staff type, not as numbers nobody reads', () => {
    const text = renderText({
      text: '❓ 业主咨询 Q012\n「物业费怎么交」',
      buttons: [[enquiryButton('zh-CN', 'answer'), enquiryButton('zh-CN', 'learn')]],
    });
    expect(text).toBe('❓ 业主咨询 Q012\n「物业费怎么交」\n\n💬 回答：Q012 <您的回答>\n📚 存入知识库：Q012 存入知识库');
    expect(text).not.toMatch(/^\d+\. /m);
    // The words after the reference are the ones the enquiries read as "save it".
    expect(LEARN_WORDS.test(commandOf(text.split('\n').at(-1) ?? '').replace(/^Q012 /, ''))).toBe(true);
  });

  it('writes an English staff room’s enquiry lines in English', () => {
    expect(renderText({ text: '', buttons: [[enquiryButton('en', 'answer'), enquiryButton('en', 'learn')]] })).toBe(
      '💬 Answer: Q012 <your answer>\n📚 Save to knowledge: Q012 save to knowledge',
    );
    expect(LEARN_WORDS.test('save to knowledge')).toBe(true);
  });

  it('shows a notice’s staff buttons as the /notice commands they stand for, in both languages', () => {
    const actions: NoticeStaffAction[] = ['preview', 'publish', 'discard', 'status'];
    const zh = renderText({ text: '【通知预览】N001 · 草稿', buttons: [actions.map((a) => noticeButton('zh-CN', a))] });
    expect(zh).toBe(
      [
        '【通知预览】N001 · 草稿',
        '',
        '👀 预览：/notice preview N001',
        '📢 发布：/notice publish N001',
        '🗑 作废：/notice cancel N001',
        '📊 已读情况：/notice N001',
      ].join('\n'),
    );
    const en = renderText({ text: '', buttons: [actions.map((a) => noticeButton('en', a))] });
    expect(en.split('\n')).toEqual([
      '👀 Preview: /notice preview N001',
      '📢 Publish: /notice publish N001',
      '🗑 Discard: /notice cancel N001',
      '📊 Read counts: /notice N001',
    ]);
    // Each typed line is the command the button runs (a draft's 作废 is its cancellation).
    const now = new Date('2026-12-07T02:00:00Z');
    for (const text of [zh, en]) {
      const commands = text
        .split('\n')
        .filter((l) => l.includes('/notice'))
        .map((l) => parseNoticeCommand(commandOf(l), now, 'Asia/Shanghai'));
      expect(commands).toEqual([
        { action: 'preview', id: 'N001' },
        { action: 'publish', id: 'N001' },
        { action: 'cancel', id: 'N001' },
        { action: 'show', id: 'N001' },
      ]);
    }
  });

  it('keeps numbering the owners’ choices: 是 / 不是, ✅ 知道了, and the guided notice questions', () => {
    const verdict = renderText({
      text: '物业费可以这样交：……',
      buttons: [
        [
          {
            label: i18n.translate('zh-CN', 'enquiry_kb.yes'),
            data: encodeEnquiryButton({ audience: 'owner', action: 'helpful', id: 'Q012' }),
          },
          {
            label: i18n.translate('zh-CN', 'enquiry_kb.no'),
            data: encodeEnquiryButton({ audience: 'owner', action: 'not_helpful', id: 'Q012' }),
          },
        ],
      ],
    });
    expect(verdict).toBe(
      `物业费可以这样交：……\n\n1. ${i18n.translate('zh-CN', 'enquiry_kb.yes')}\n2. ${i18n.translate('zh-CN', 'enquiry_kb.no')}`,
    );
    const read = { label: '✅ 知道了', data: encodeNoticeButton({ type: 'read', noticeId: 'N001' }) };
    expect(renderText({ text: '📢 停水通知', buttons: [[read]] })).toBe('📢 停水通知\n\n1. ✅ 知道了');
    const kinds = renderText({
      text: '请选择通知类型：',
      buttons: [
        [
          { label: '💧 停水', data: encodeNoticeButton({ type: 'kind', kind: 'outage_water' }) },
          { label: '取消', data: encodeNoticeButton({ type: 'choice', choice: 'quit' }) },
        ],
      ],
    });
    expect(kinds).toBe('请选择通知类型：\n\n1. 💧 停水\n2. 取消');
  });

  it('numbers only the choices when a message carries both choices and staff lines', () => {
    const text = renderText({
      text: '',
      buttons: [
        [enquiryButton('zh-CN', 'learn'), { label: '✅ 知道了', data: 'n|r|N001' }, noticeButton('zh-CN', 'status')],
      ],
    });
    expect(text.split('\n')).toEqual(['📚 存入知识库：Q012 存入知识库', '1. ✅ 知道了', '📊 已读情况：/notice N001']);
  });
});

describe('splitText', () => {
  it('keeps a short text whole', () => {
    expect(splitText('你好')).toEqual(['你好']);
    expect(splitText('')).toEqual(['']);
  });

  it('splits at WeChat’s limit, at line breaks when there are some', () => {
    const line = `${'一'.repeat(99)}\n`;
    const text = line.repeat(50);
    const parts = splitText(text);
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(MAX_TEXT);
    expect(parts.join('\n').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
  });

  it('cuts Chinese prose after a sentence end', () => {
    const sentence = `${'漏'.repeat(29)}。`;
    const parts = splitText(sentence.repeat(100));
    expect(parts.length).toBe(2);
    expect(parts[0]?.endsWith('。')).toBe(true);
    expect(parts.join('')).toBe(sentence.repeat(100));
  });

  it('never cuts inside a surrogate pair', () => {
    const parts = splitText(`a${'😀'.repeat(1500)}`, 2000);
    expect(parts.join('')).toBe(`a${'😀'.repeat(1500)}`);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(2000);
    const code = parts[0]?.charCodeAt((parts[0]?.length ?? 1) - 1) ?? 0;
    expect(code >= 0xd800 && code <= 0xdbff).toBe(false);
  });
});

describe('localPhotoPath', () => {
  const dataDir = '/srv/residesk/data';

  it('sends only images saved under the data directory', () => {
    const own = join(dataDir, 'attachments', 'wechat', 'm1.jpg');
    expect(localPhotoPath(own, dataDir)).toBe(own);
    expect(localPhotoPath('AgACAgIAAxkBAAIBc2Z', dataDir)).toBeUndefined();
    expect(localPhotoPath('/etc/passwd', dataDir)).toBeUndefined();
    expect(localPhotoPath(join(dataDir, 'attachments', '..', 'residesk.db'), dataDir)).toBeUndefined();
    expect(localPhotoPath(join(dataDir, 'attachments'), dataDir)).toBeUndefined();
  });
});

describe('classifyError', () => {
  it('treats "not a friend", blocked and unknown contacts as unreachable', () => {
    for (const message of [
      'contact is not your friend',
      'you are blocked by the contact',
      '消息已发出，但被对方拒收了。对方开启了朋友验证，你还不是他（她）朋友',
      'MockContact.load(): abc not exist.',
      'no such contact',
    ]) {
      expect(classifyError(new Error(message)).status, message).toBe('unreachable');
    }
  });

  it('treats timeouts and network failures as transient', () => {
    for (const message of ['ETIMEDOUT', 'socket hang up', 'request timeout after 30000ms', 'grpc UNAVAILABLE']) {
      expect(classifyError(new Error(message)).status, message).toBe('transient');
    }
    expect(classifyError('weird').status).toBe('transient');
  });

  it('waits (without counting an attempt) when the puppet is not logged in', () => {
    expect(classifyError(new Error('not logged in'))).toMatchObject({ status: 'rate_limited', retryAfterMs: 15_000 });
  });

  it('rejects what a puppet does not support', () => {
    expect(classifyError(new Error('Wechaty Puppet Unsupported API Error')).status).toBe('rejected');
  });

  it('keeps secrets and URLs out of the reason', () => {
    const failure = classifyError(
      new Error('failed https://api.example/puppet?token=abc with puppet_service_token_123'),
      ['puppet_service_token_123'],
    );
    expect(failure.status === 'sent' ? '' : failure.reason).not.toMatch(/token_123|api\.example/);
  });
});
