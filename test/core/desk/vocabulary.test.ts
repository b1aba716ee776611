import { describe, expect, it } from 'vitest';
import {
  type CommandSpec,
  checkVocabulary,
  commandWord,
  parseStaffCommand,
  STAFF_COMMANDS,
  STAFF_VOCABULARY,
  staffCommandOf,
} from '../../../src/core/desk/vocabulary.js';

const N = 'T261128-0007';

describe('the staff vocabulary', () => {
  it('is sound: every command has words in both languages, and no word names two commands', () => {
    expect(checkVocabulary(STAFF_VOCABULARY)).toEqual([]);
    expect(Object.keys(STAFF_VOCABULARY).sort()).toEqual([...STAFF_COMMANDS].sort());
  });

  it('names every problem of a broken one', () => {
    const broken: Record<string, CommandSpec> = {
      accept: { words: { zh: ['接单'], en: ['accept'] }, ticket: true, text: false },
      note: { words: { zh: ['接单', '备注'], en: [] }, ticket: true, text: true },
      plan: { words: { zh: ['plan'], en: ['the plan', 'T261128-0001'] }, ticket: true, text: true },
    };
    const problems = checkVocabulary(broken);
    expect(problems).toContain('"接单" names both accept and note');
    expect(problems).toContain('note: no en word');
    expect(problems).toContain('plan: "plan" is not Chinese');
    expect(problems.some((p) => p.includes('"the plan" has a space'))).toBe(true);
    expect(problems.some((p) => p.includes('reads as a ticket number'))).toBe(true);
  });

  it('knows the words the WeChat adapter once lacked, bare or with a slash, in either language', () => {
    expect(staffCommandOf('备注')).toBe('note');
    expect(staffCommandOf('/note')).toBe('note');
    expect(staffCommandOf('回访')).toBe('revisit');
    expect(staffCommandOf('草稿')).toBe('draft');
    expect(staffCommandOf('汇总')).toBe('summary');
    expect(staffCommandOf('/Accept@residesk_bot')).toBe('accept');
    expect(staffCommandOf('完成了吗')).toBeUndefined();
  });

  it('prints a command with its first word in the staff room’s language', () => {
    expect(commandWord('accept', 'zh')).toBe('接单');
    expect(commandWord('reject', 'zh')).toBe('驳回');
    expect(commandWord('timeline', 'en')).toBe('timeline');
  });
});

describe('parseStaffCommand under a quote', () => {
  it('reads a command word first as that command on the quoted ticket', () => {
    expect(parseStaffCommand('接单', N)).toEqual({ command: 'accept', number: N, rest: '' });
    expect(parseStaffCommand('/accept', N)).toEqual({ command: 'accept', number: N, rest: '' });
    expect(parseStaffCommand('备注 业主家里有老人，下午再去', N)).toEqual({
      command: 'note',
      number: N,
      rest: '业主家里有老人，下午再去',
    });
    expect(parseStaffCommand('备注：业主家里有老人', N)).toMatchObject({ command: 'note', rest: '业主家里有老人' });
    expect(parseStaffCommand('回复 您好\n明天上午来', N)).toEqual({
      command: 'reply',
      number: N,
      rest: '您好\n明天上午来',
    });
    expect(parseStaffCommand('回访 已解决 满意 未收费 9', N)).toMatchObject({ command: 'revisit', number: N });
    expect(parseStaffCommand('草稿', N)).toMatchObject({ command: 'draft', number: N });
  });

  it('never takes a note for a reply, even with no space after the word', () => {
    expect(parseStaffCommand('备注业主家里有老人', N)).toEqual({ command: 'note', number: N, rest: '业主家里有老人' });
  });

  it('reads commands that need no ticket as themselves', () => {
    expect(parseStaffCommand('汇总 2026-11', N)).toEqual({ command: 'summary', rest: '2026-11' });
    expect(parseStaffCommand('帮助', N)).toEqual({ command: 'help', rest: '' });
  });

  it('lets a typed number win over the quoted one', () => {
    expect(parseStaffCommand('T261128-0008 接单', N)).toMatchObject({ command: 'accept', number: 'T261128-0008' });
    expect(parseStaffCommand('接单 T261128-0008', N)).toMatchObject({ command: 'accept', number: 'T261128-0008' });
  });

  it('leaves anything else to be a reply', () => {
    expect(parseStaffCommand('师傅下午两点上门', N)).toBeUndefined();
    expect(parseStaffCommand('完成了吗？', N)).toBeUndefined();
    expect(parseStaffCommand('电话打不通，请您方便时回电', N)).toBeUndefined();
  });

  it('keeps bare words without a number as talk when there is no quote', () => {
    expect(parseStaffCommand('备注 业主家里有老人')).toBeUndefined();
    expect(parseStaffCommand('接单')).toBeUndefined();
    expect(parseStaffCommand('汇总')).toEqual({ command: 'summary', rest: '' });
    expect(parseStaffCommand('/note 家里有老人')).toEqual({ command: 'note', rest: '家里有老人' });
  });
});
