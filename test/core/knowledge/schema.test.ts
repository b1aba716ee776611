import { describe, expect, it } from 'vitest';
import { KnowledgeError, parseKnowledgeFiles } from '../../../src/core/knowledge/schema.js';

const entry = (over: string) =>
  `entries:\n  - id: fees.pay\n    topic: fees\n    questions: { zh-CN: [物业费怎么交], en: [How do I pay] }\n    answer: { zh-CN: 在服务中心交, en: At the service centre }\n${over}`;

function problems(files: { file: string; text: string }[], synonyms?: { file: string; text: string }): string[] {
  try {
    parseKnowledgeFiles(files, synonyms);
  } catch (error) {
    expect(error).toBeInstanceOf(KnowledgeError);
    return (error as KnowledgeError).problems;
  }
  return [];
}

describe('knowledge files', () => {
  it('reads entries in both languages, with their source file, in id order', () => {
    const parsed = parseKnowledgeFiles(
      [
        { file: 'b.yaml', text: entry('') },
        {
          file: 'a.yaml',
          text: 'entries:\n  - id: office.hours\n    topic: office\n    questions: { zh-CN: [几点上班], en: [office hours] }\n    keywords: { en: [opening hours] }\n    answer: { zh-CN: "{{estate}} 8:30 上班", en: "{{estate}} opens at 8:30; duty {{dutyPhone}}" }\n',
        },
      ],
      { file: 'synonyms.yaml', text: 'groups:\n  - [物业费, 管理费]\n' },
    );
    expect(parsed.entries.map((e) => [e.id, e.source])).toEqual([
      ['fees.pay', 'b.yaml'],
      ['office.hours', 'a.yaml'],
    ]);
    expect(parsed.entries[1]?.keywords).toEqual({ en: ['opening hours'] });
    expect(parsed.synonyms).toEqual([['物业费', '管理费']]);
  });

  it('names the file and the entry of a missing language, an unknown topic or an empty question', () => {
    const lines = problems([
      {
        file: 'x.yaml',
        text: 'entries:\n  - id: a.one\n    topic: weather\n    questions: { zh-CN: [""], en: [q] }\n    answer: { zh-CN: 答 }\n',
      },
    ]);
    expect(lines).toHaveLength(3);
    expect(lines.every((l) => l.startsWith('x.yaml: entry "a.one"'))).toBe(true);
    expect(lines.join('\n')).toContain('(topic)');
    expect(lines.join('\n')).toContain('(questions.zh-CN.0)');
    expect(lines.join('\n')).toContain('(answer.en)');
  });

  it('allows only {{estate}} and {{dutyPhone}} in answers', () => {
    const lines = problems([
      { file: 'x.yaml', text: entry('').replace('At the service centre', '"Ring {{phone}} or {{estate}}"') },
    ]);
    expect(lines).toEqual([
      'x.yaml: entry "fees.pay" (answer.en): unknown placeholder {{phone}} (only {{estate}} and {{dutyPhone}})',
    ]);
    expect(problems([{ file: 'x.yaml', text: entry('').replace('At the service centre', '"At {{estate"') }])).toEqual([
      'x.yaml: entry "fees.pay" (answer.en): a placeholder is not closed ({{estate}}, {{dutyPhone}})',
    ]);
  });

  it('refuses an id used twice, naming both files', () => {
    expect(
      problems([
        { file: 'a.yaml', text: entry('') },
        { file: 'b.yaml', text: entry('') },
      ]),
    ).toEqual(['b.yaml: entry "fees.pay": the id is used by a.yaml too']);
  });

  it('refuses broken YAML and a word in two synonym groups', () => {
    expect(problems([{ file: 'a.yaml', text: 'entries: [oops' }])[0]).toMatch(/^a\.yaml: not valid YAML/);
    expect(
      problems([{ file: 'a.yaml', text: entry('') }], {
        file: 'synonyms.yaml',
        text: 'groups:\n  - [门卡, 门禁卡]\n  - [门卡, fob]\n',
      }),
    ).toEqual(['synonyms.yaml: "门卡" is in group 1 and group 2']);
  });

  it('reads labelled examples, and names the file of a broken one', () => {
    const examples = {
      file: 'examples.json',
      text: '{"examples": [{"text": "物业费在哪交", "locale": "zh-CN", "entry": "fees.pay", "from": "dev"}, {"text": "wifi?", "locale": "en", "entry": null}]}',
    };
    const parsed = parseKnowledgeFiles([{ file: 'b.yaml', text: entry('') }], undefined, examples);
    expect(parsed.examples).toEqual([
      { text: '物业费在哪交', locale: 'zh-CN', entry: 'fees.pay', from: 'dev' },
      { text: 'wifi?', locale: 'en', entry: null },
    ]);
    const broken = { file: 'examples.json', text: '{"examples": [{"text": "", "locale": "fr", "entry": "fees.pay"}]}' };
    let lines: string[] = [];
    try {
      parseKnowledgeFiles([{ file: 'b.yaml', text: entry('') }], undefined, broken);
    } catch (error) {
      lines = (error as KnowledgeError).problems;
    }
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^examples\.json \(examples\.0\.(text|locale)\)/);
  });
});
