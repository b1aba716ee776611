import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadQuestionnaires } from '../../../src/adapters/content/questionnaires-file.js';
import { loadFlows } from '../../../src/app/flows-loader.js';
import { type FlowRegistry, localeKeysOf } from '../../../src/core/flow/registry.js';
import {
  compileQuestionnaire,
  FOLLOW_UP,
  mergeResources,
  parseQuestionnaire,
  type Questionnaire,
  QuestionnaireError,
  questionnaireIdOfFlow,
  surveyFlowId,
} from '../../../src/core/surveys/questionnaire.js';
import { parseOwnerSurveyWord } from '../../../src/core/surveys/words.js';
import { LOCALES } from '../../../src/core/types.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import { Conversation, effectsOf } from '../../support/engine.js';

const t2 = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** A small valid questionnaire document, as it would be written in YAML. */
function doc(): Record<string, unknown> {
  return {
    id: 'mini',
    version: 3,
    title: t2('小问卷', 'Mini survey'),
    intro: t2('您好', 'Hello'),
    questions: [
      { id: 'service', kind: 'rating', dimension: 'reception', text: t2('服务？', 'Service?'), lowAt: 2 },
      { id: 'value', kind: 'rating', scale: '1-10', dimension: 'fees', weight: 2, text: t2('值吗？', 'Value?') },
      {
        id: 'channel',
        kind: 'single',
        text: t2('渠道？', 'Channel?'),
        options: [
          { id: 'wechat', text: t2('微信', 'WeChat') },
          { id: 'phone', text: t2('电话', 'Phone') },
        ],
      },
      { id: 'why', kind: 'text', if: { answer: 'service', in: [1, 2] }, text: t2('为什么？', 'Why?') },
      {
        id: 'phone_ok',
        kind: 'text',
        required: true,
        if: { answer: 'channel', is: 'phone' },
        text: t2('电话好吗？', 'Phone ok?'),
      },
      {
        id: 'improve',
        kind: 'multi',
        max: 2,
        text: t2('改进？', 'Improve?'),
        options: [
          { id: 'a', text: t2('甲', 'A') },
          { id: 'b', text: t2('乙', 'B') },
          { id: 'c', text: t2('丙', 'C') },
        ],
      },
      { id: 'nps', kind: 'nps', text: t2('推荐？', 'Recommend?') },
    ],
  };
}

function problemsOf(d: unknown, file = 'flows/surveys/mini.yaml'): string[] {
  const parsed = parseQuestionnaire(d, file);
  return parsed.ok ? [] : parsed.problems;
}

function parsed(d: unknown = doc()): Questionnaire {
  const r = parseQuestionnaire(d, 'mini.yaml');
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.questionnaire;
}

/** `doc()` with question `i` changed. */
function withQuestion(i: number, change: (q: Record<string, unknown>) => void): Record<string, unknown> {
  const d = doc();
  const qs = d.questions as Record<string, unknown>[];
  change(qs[i]!);
  return d;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('questionnaire validation', () => {
  it('accepts a good questionnaire and fills the defaults', () => {
    const q = parsed();
    expect(q.questions.map((x) => [x.id, x.kind, x.required])).toEqual([
      ['service', 'rating', true],
      ['value', 'rating', true],
      ['channel', 'single', true],
      ['why', 'text', false],
      ['phone_ok', 'text', true],
      ['improve', 'multi', true],
      ['nps', 'nps', true],
    ]);
    expect(q.questions[0]).toMatchObject({ scale: 'satisfaction', weight: 1 });
    expect(q.questions[5]).toMatchObject({ min: 1, max: 2 });
  });

  it('accepts the residential questionnaire that ships with the product', () => {
    const all = loadQuestionnaires('flows/surveys');
    const q = all.get('residential');
    expect(q).toBeDefined();
    if (!q) return;
    expect(q.questions.length).toBeGreaterThanOrEqual(12);
    const dims = new Set(q.questions.flatMap((x) => (x.kind === 'rating' ? [x.dimension] : [])));
    expect([...dims].sort()).toEqual(['cleaning', 'fees', 'greening', 'overall', 'reception', 'repairs', 'security']);
    expect(q.questions.filter((x) => x.kind === 'multi')).toHaveLength(1);
    expect(q.questions.filter((x) => x.kind === 'nps')).toHaveLength(1);
    expect(q.questions.filter((x) => x.kind === 'text').length).toBeGreaterThanOrEqual(1);
    expect(q.questions.find((x) => x.id === 'overall_wrong')?.if).toEqual({ answer: 'overall', in: [1, 2] });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      'a text missing its English',
      withQuestion(0, (q) => {
        q.text = { 'zh-CN': '服务？' };
      }),
      /question "service" \(text\.en\)/,
    ],
    [
      'an empty text',
      withQuestion(1, (q) => {
        q.text = t2('  ', 'Value?');
      }),
      /question "value" \(text\.zh-CN\): must not be empty/,
    ],
    [
      'an unknown kind',
      withQuestion(2, (q) => {
        q.kind = 'ranking';
      }),
      /question "channel" \(kind\)/,
    ],
    [
      'a rating without a dimension',
      withQuestion(0, (q) => {
        delete q.dimension;
      }),
      /question "service" \(dimension\)/,
    ],
    [
      'an unknown dimension',
      withQuestion(0, (q) => {
        q.dimension = 'parking';
      }),
      /question "service" \(dimension\)/,
    ],
    [
      'an unknown scale',
      withQuestion(0, (q) => {
        q.scale = '1-7';
      }),
      /question "service" \(scale\)/,
    ],
    [
      'a misspelt field',
      withQuestion(0, (q) => {
        q.requried = false;
      }),
      /question "service".*requried/,
    ],
    [
      'a question id used twice',
      withQuestion(1, (q) => {
        q.id = 'service';
      }),
      /question "service" \(id\): question id "service" is used twice/,
    ],
    [
      'the reserved id follow_up',
      withQuestion(1, (q) => {
        q.id = 'follow_up';
      }),
      /"follow_up" is reserved/,
    ],
    [
      'a condition on a later question',
      withQuestion(0, (q) => {
        q.if = { answer: 'nps', atMost: 6 };
      }),
      /question "service" \(if\.answer\): refers to "nps", which is not an earlier question/,
    ],
    [
      'a condition on a question that does not exist',
      withQuestion(3, (q) => {
        q.if = { answered: 'overal' };
      }),
      /question "why" \(if\.answered\): refers to "overal"/,
    ],
    [
      'a rating value off the scale',
      withQuestion(3, (q) => {
        q.if = { answer: 'service', in: [0, 2] };
      }),
      /question "why" \(if\.in\): 0 is not on the scale of "service" \(1–5\)/,
    ],
    [
      'an option that does not exist',
      withQuestion(4, (q) => {
        q.if = { answer: 'channel', is: 'email' };
      }),
      /question "phone_ok" \(if\.is\): "email" is not an option of "channel"/,
    ],
    [
      'atMost on a single choice',
      withQuestion(4, (q) => {
        q.if = { answer: 'channel', atMost: 1 };
      }),
      /question "phone_ok" \(if\.atMost\): "channel" is a single choice/,
    ],
    [
      'lowAt off the scale',
      withQuestion(0, (q) => {
        q.lowAt = 5;
      }),
      /question "service" \(lowAt\): lowAt must be from 1 to 4/,
    ],
    [
      'multi max above its options',
      withQuestion(5, (q) => {
        q.max = 4;
      }),
      /question "improve" \(max\): max \(4\) is more than the 3 options/,
    ],
    [
      'multi min above max',
      withQuestion(5, (q) => {
        q.min = 3;
      }),
      /question "improve" \(min\): min \(3\) must not exceed max \(2\)/,
    ],
    [
      'an option listed twice',
      withQuestion(2, (q) => {
        (q.options as { id: string }[])[1]!.id = 'wechat';
      }),
      /question "channel" \(options\): option "wechat" is listed twice/,
    ],
    [
      'a single choice with one option',
      withQuestion(2, (q) => {
        q.options = [(q.options as unknown[])[0]];
      }),
      /question "channel" \(options\)/,
    ],
  ])('refuses %s, naming the file and the question', (_name, d, expected) => {
    const problems = problemsOf(d);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith('flows/surveys/mini.yaml'))).toBe(true);
    expect(problems.join('\n')).toMatch(expected);
  });

  it('refuses a condition on a multiple-choice or free-text answer unless it is { answered }', () => {
    const d = doc();
    (d.questions as unknown[]).push({
      id: 'later',
      kind: 'text',
      if: { answer: 'improve', is: 'a' },
      text: t2('后', 'Later'),
    });
    expect(problemsOf(d).join('\n')).toMatch(
      /question "later" \(if\.answer\): conditions on a multiple-choice answer can only be \{ answered: improve \}/,
    );
    (d.questions as Record<string, unknown>[]).at(-1)!.if = { answered: 'improve' };
    expect(problemsOf(d)).toEqual([]);
  });

  it('refuses a questionnaire without a title, intro or questions, and an unknown top-level field', () => {
    const problems = problemsOf({ id: 'x', version: 1, questions: [], colour: 'red' });
    const text = problems.join('\n');
    expect(text).toMatch(/\(title\)/);
    expect(text).toMatch(/\(intro\)/);
    expect(text).toMatch(/\(questions\)/);
    expect(text).toMatch(/colour/);
  });

  it('loads a directory and reports every broken file at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'residesk-surveys-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'a-good.yaml'), stringify(doc()));
    writeFileSync(join(dir, 'b-copy.yaml'), stringify(doc()));
    writeFileSync(join(dir, 'c-broken.yaml'), 'id: [unclosed\n');
    writeFileSync(
      join(dir, 'd-wrong.yaml'),
      stringify(
        withQuestion(0, (q) => {
          q.dimension = 'lifts';
        }),
      ),
    );
    writeFileSync(join(dir, 'notes.txt'), 'not a questionnaire');
    let error: unknown;
    try {
      loadQuestionnaires(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuestionnaireError);
    const problems = (error as QuestionnaireError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/b-copy\.yaml: questionnaire id "mini" is used by .*a-good\.yaml too/);
    expect(problems[1]).toMatch(/c-broken\.yaml: not valid YAML/);
    expect(problems[2]).toMatch(/d-wrong\.yaml: question "service" \(dimension\)/);
    expect((error as QuestionnaireError).code).toBe('QUESTIONNAIRE_INVALID');
  });

  it('treats a missing directory as no questionnaires', () => {
    expect(loadQuestionnaires(join(tmpdir(), 'no-such-residesk-dir')).size).toBe(0);
  });
});

describe('compiling a questionnaire into a flow', () => {
  const q = parsed();
  const { flow, resources } = compileQuestionnaire(q);

  it('maps each kind of question onto a step', () => {
    expect(flow).toMatchObject({
      id: 'survey_mini',
      version: 3,
      done: 'survey.answer',
      after: 'menu',
      intro: 'surveys.mini.intro',
    });
    expect(flow.set).toEqual({ questionnaire: 'mini' });
    const answers = Object.fromEntries(flow.steps.map((s) => [s.id, s.answer]));
    expect(answers.service).toEqual({ kind: 'rating', min: 1, max: 5, labels: 'survey.scale' });
    expect(answers.value).toEqual({ kind: 'rating', min: 1, max: 10 });
    expect(answers.channel).toMatchObject({
      kind: 'choice',
      options: ['wechat', 'phone'],
      labels: 'surveys.mini.q.channel.o',
    });
    expect(answers.why).toEqual({ kind: 'text', min: 1, max: 500 });
    expect(answers.improve).toMatchObject({
      kind: 'multi',
      options: ['a', 'b', 'c'],
      labels: 'surveys.mini.q.improve.o',
      min: 1,
      max: 2,
    });
    expect(answers.nps).toEqual({ kind: 'rating', min: 0, max: 10 });
    expect(answers[FOLLOW_UP]).toEqual({ kind: 'yesno' });
    expect(flow.steps.map((s) => [s.id, s.optional])).toEqual([
      ['service', false],
      ['value', false],
      ['channel', false],
      ['why', true],
      ['phone_ok', false],
      ['improve', false],
      ['nps', false],
      [FOLLOW_UP, true],
    ]);
    expect(flow.steps[0]?.ask).toBe('surveys.mini.q.service.text');
    expect(surveyFlowId('mini')).toBe(flow.id);
    expect(questionnaireIdOfFlow(flow.id)).toBe('mini');
    expect(questionnaireIdOfFlow('complaint')).toBeUndefined();
  });

  it('keeps conditions and leads only a low answer to the follow-up', () => {
    expect(flow.steps.find((s) => s.id === 'why')?.if).toEqual({ answer: 'service', in: [1, 2] });
    expect(flow.steps.find((s) => s.id === 'phone_ok')?.if).toEqual({ answer: 'channel', is: 'phone' });
    expect(flow.steps.find((s) => s.id === 'nps')?.next).toEqual([
      { when: { answer: 'service', atMost: 2 }, go: FOLLOW_UP },
      { go: 'end' },
    ]);
    expect(flow.steps.at(-1)?.id).toBe(FOLLOW_UP);
  });

  it('has no follow-up when no question marks a low answer', () => {
    const plain = compileQuestionnaire(
      parsed(
        withQuestion(0, (x) => {
          delete x.lowAt;
        }),
      ),
    ).flow;
    expect(plain.steps.map((s) => s.id)).not.toContain(FOLLOW_UP);
    expect(plain.steps.every((s) => s.next === undefined)).toBe(true);
  });

  it('puts every text the flow names into both locales', () => {
    const base = readLocales('locales');
    const i18n = createI18n(mergeResources(base, resources));
    const registry: FlowRegistry = { flows: new Map([[flow.id, flow]]), menu: { entries: [] } };
    const missing = localeKeysOf(registry).filter(({ key }) => !i18n.has(key));
    expect(missing).toEqual([]);
    expect(i18n.translate('en', 'surveys.mini.q.channel.o.phone')).toBe('Phone');
    expect(i18n.translate('zh-CN', 'surveys.mini.q.channel.o.phone')).toBe('电话');
    expect(i18n.translate('en', 'surveys.mini.intro', { deadline: '2026-12-15 23:59' })).toMatch(
      /^Hello\n\n.*2026-12-15 23:59/,
    );
    for (const locale of LOCALES) expect(Object.keys(resources[locale])).toEqual(['surveys']);
  });

  it('compiles the shipped residential questionnaire with every text in both locales', () => {
    const residential = loadQuestionnaires('flows/surveys').get('residential');
    if (!residential) throw new Error('residential.yaml is missing');
    const compiled = compileQuestionnaire(residential);
    const i18n = createI18n(mergeResources(readLocales('locales'), compiled.resources));
    const registry: FlowRegistry = { flows: new Map([[compiled.flow.id, compiled.flow]]), menu: { entries: [] } };
    expect(localeKeysOf(registry).filter(({ key }) => !i18n.has(key))).toEqual([]);
    expect(compiled.flow.steps.at(-1)?.id).toBe(FOLLOW_UP);
  });

  it('merges resources deeply without losing the static texts', () => {
    const merged = mergeResources({ 'zh-CN': { survey: { a: '1' } }, en: { survey: { a: '1' } } }, resources);
    expect(merged.en.survey).toEqual({ a: '1' });
    expect(Object.keys(merged.en.surveys as object)).toEqual(['mini']);
  });
});

describe('the compiled residential questionnaire in the engine', () => {
  const residential = loadQuestionnaires('flows/surveys').get('residential')!;
  const compiled = compileQuestionnaire(residential);
  const i18n = createI18n(mergeResources(readLocales('locales'), compiled.resources));
  const base = loadFlows('flows', (k) => i18n.has(k));
  const registry: FlowRegistry = {
    flows: new Map([...base.flows, [compiled.flow.id, compiled.flow]]),
    menu: base.menu,
  };

  function run(answers: (string | { press: string })[]) {
    const c = new Conversation(registry, (l, k, p) => i18n.translate(l, k, p), {
      owner: { locale: 'zh-CN', units: ['3-2-501'] },
    });
    const first = c.start(compiled.flow.id, { context: { campaign: 'S001', deadline: '2026-12-15 23:59' } });
    const asked: string[] = [c.state.flow?.stepId ?? ''];
    for (const a of answers) {
      if (typeof a === 'string') c.text(a);
      else c.press(a.press);
      if (c.state.flow) asked.push(c.state.flow.stepId);
    }
    const done = c.allEffects().filter((e) => e.type === 'survey.answer');
    return { c, first, asked, done };
  }

  // Labelled points are pressed by value (a typed number picks the n-th item of the list, best first);
  // the 1–10 and NPS questions take typed numbers.
  const r = (value: number) => ({ press: `r.${value}` });
  const ratings: (string | { press: string })[] = [r(5), r(4), r(4), r(5), r(4), r(5), r(4), r(4), r(5), r(4), '8'];

  it('invites with the introduction and the deadline, then asks question by question to the end', () => {
    const { first, asked, done } = run([
      ...ratings,
      r(4),
      { press: 'o.cleaning' },
      { press: 'done' },
      '9',
      { press: 'skip' },
    ]);
    const intro =
      first.output.flatMap((o) => (o.type === 'out' && o.action.kind === 'send' ? [o.action.message.text] : []))[0] ??
      '';
    expect(intro).toContain('物业服务中心');
    expect(intro).toContain('2026-12-15 23:59');
    expect(intro).toContain('不要调查');
    expect(asked).not.toContain('overall_wrong');
    expect(asked).not.toContain(FOLLOW_UP);
    expect(done).toHaveLength(1);
    const effect = done[0];
    expect(effect && 'answers' in effect ? effect.answers : {}).toMatchObject({
      reception_attitude: 5,
      fees_value: 8,
      overall: 4,
      improve: ['cleaning'],
      recommend: 9,
    });
    expect(effect && 'context' in effect ? effect.context : {}).toEqual({
      campaign: 'S001',
      deadline: '2026-12-15 23:59',
    });
  });

  it('asks "what went wrong?" only after 不满意 or 很不满意 overall, and then offers a follow-up', () => {
    const { asked, done, c } = run([...ratings, r(2), '电梯经常坏，报修后没人来', '1 3', '3', '没有了', '是']);
    expect(asked).toContain('overall_wrong');
    expect(asked.at(-1)).toBe(FOLLOW_UP);
    expect(done).toHaveLength(1);
    const answers = done[0] && 'answers' in done[0] ? done[0].answers : {};
    expect(answers).toMatchObject({
      overall: 2,
      overall_wrong: '电梯经常坏，报修后没人来',
      improve: ['reception', 'facilities'],
      follow_up: true,
    });
    expect(effectsOf(c.outcomes.at(-1)?.output ?? []).some((e) => e.type === 'survey.answer')).toBe(true);
  });

  it('offers the follow-up after any low rating, not only the overall one', () => {
    const low = [...ratings];
    low[7] = r(1); // cleaning: 很不满意
    const { asked } = run([...low, r(4), { press: 'o.cleaning' }, { press: 'done' }, '9', { press: 'skip' }, '否']);
    expect(asked).not.toContain('overall_wrong');
    expect(asked.at(-1)).toBe(FOLLOW_UP);
  });
});

describe('owner words about surveys', () => {
  it.each([
    ['/nosurvey', 'optout'],
    ['/nosurvey@residesk_bot', 'optout'],
    ['不要调查', 'optout'],
    ['退订调查。', 'optout'],
    ['/yessurvey', 'optin'],
    ['接收调查', 'optin'],
    ['问卷', 'resume'],
    ['Questionnaire', 'resume'],
  ])('reads %s as %s', (text, word) => {
    expect(parseOwnerSurveyWord(text)).toBe(word);
  });

  it('ignores anything else, including the words inside a sentence', () => {
    expect(parseOwnerSurveyWord('我不要调查问卷了吗')).toBeUndefined();
    expect(parseOwnerSurveyWord('/survey')).toBeUndefined();
    expect(parseOwnerSurveyWord('toString')).toBeUndefined();
  });
});
