import { describe, expect, it } from 'vitest';
import { exportCsv, exportRows } from '../../../src/core/surveys/export.js';
import { parseQuestionnaire, type Questionnaire } from '../../../src/core/surveys/questionnaire.js';

const t2 = (zh: string, en: string) => ({ 'zh-CN': zh, en });

function questionnaire(): Questionnaire {
  const parsed = parseQuestionnaire(
    {
      id: 'mini',
      version: 1,
      title: t2('问卷', 'Survey'),
      intro: t2('您好', 'Hello'),
      questions: [
        { id: 'overall', kind: 'rating', dimension: 'overall', lowAt: 2, text: t2('总体', 'Overall') },
        {
          id: 'channel',
          kind: 'single',
          text: t2('渠道', 'Channel'),
          options: [
            { id: 'wechat', text: t2('微信', 'WeChat') },
            { id: 'phone', text: t2('电话, 座机', 'Phone, landline') },
          ],
        },
        {
          id: 'improve',
          kind: 'multi',
          text: t2('改进', 'Improve'),
          options: [
            { id: 'lift', text: t2('电梯', 'Lifts') },
            { id: 'fees', text: t2('收费', 'Fees') },
          ],
        },
        { id: 'comments', kind: 'text', text: t2('意见', 'Comments') },
      ],
    },
    'mini.yaml',
  );
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.questionnaire;
}

const responses = [
  {
    id: 'r-1',
    campaignId: 'S002',
    building: '3',
    submittedAt: new Date('2026-12-01T14:30:00Z'),
    answers: {
      overall: 2,
      channel: 'phone',
      improve: ['lift', 'fees'],
      comments: '电梯"经常"坏\n希望尽快修',
      follow_up: true,
    },
  },
  {
    id: 'r-2',
    campaignId: 'S002',
    submittedAt: new Date('2026-12-02T01:05:00Z'),
    answers: { overall: 5, comments: '=HYPERLINK("x")' },
  },
];

describe('CSV export', () => {
  it('writes one row per response with the campaign, building, local time and one column per question', () => {
    const rows = exportRows(questionnaire(), responses, { timeZone: 'Asia/Shanghai', locale: 'zh-CN' });
    expect(rows).toEqual([
      ['campaign', 'response', 'building', 'submitted_at', 'overall', 'channel', 'improve', 'comments', 'follow_up'],
      ['S002', 'r-1', '3', '2026-12-01 22:30', 2, '电话, 座机', '电梯; 收费', '电梯"经常"坏\n希望尽快修', '是'],
      ['S002', 'r-2', '', '2026-12-02 09:05', 5, '', '', `'=HYPERLINK("x")`, ''],
    ]);
  });

  it('masks phone numbers, names and flats an owner typed into a written answer', () => {
    const typed = [
      {
        id: 'r-3',
        campaignId: 'S002',
        submittedAt: new Date('2026-12-02T01:05:00Z'),
        answers: { comments: '我叫王芳，住3栋2单元501，电话13812345678，保安态度差' },
      },
    ];
    const csv = exportCsv(questionnaire(), typed, { timeZone: 'Asia/Shanghai', locale: 'zh-CN' });
    expect(csv).toContain('我叫[NAME]，住[FLAT]，电话[PHONE]，保安态度差');
    expect(csv).not.toMatch(/13812345678|王芳|501/);
  });

  it('quotes what needs quoting, starts with a BOM and never names the owner', () => {
    const csv = exportCsv(questionnaire(), responses, { timeZone: 'Asia/Shanghai', locale: 'en' });
    expect(
      csv.startsWith('\ufeffcampaign,response,building,submitted_at,overall,channel,improve,comments,follow_up\r\n'),
    ).toBe(true);
    expect(csv).toContain('"Phone, landline"');
    expect(csv).toContain('"电梯""经常""坏\n希望尽快修"');
    expect(csv).toContain('Lifts; Fees');
    expect(csv).toContain(',yes\r\n');
    expect(csv).not.toMatch(/owner/i);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(3);
    expect(exportCsv(questionnaire(), [], { timeZone: 'UTC', locale: 'en', bom: false })).toBe(
      'campaign,response,building,submitted_at,overall,channel,improve,comments\r\n',
    );
  });
});
