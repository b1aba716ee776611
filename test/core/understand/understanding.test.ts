import { describe, expect, it } from 'vitest';
import { OfflineAssistant } from '../../../src/adapters/ai/offline.js';
import { loadFlows } from '../../../src/app/flows-loader.js';
import { DESCRIPTION_MAX, suggestionContext, suggestionPreset } from '../../../src/core/understand/understanding.js';
import { createI18n, readLocales } from '../../../src/i18n.js';
import { Conversation, effectsOf } from '../../support/engine.js';
import { keywords } from './support.js';

const i18n = createI18n(readLocales('locales'));
const registry = loadFlows('flows', i18n.has);
const translate = (locale: 'zh-CN' | 'en', key: string, params?: Record<string, string | number>) =>
  i18n.translate(locale, key, { estate: '幸福里', dutyPhone: '0571-88888888', ...params });
const offline = new OfflineAssistant(keywords);

describe('suggestionPreset and suggestionContext', () => {
  it('fills kind, category, place and the owner words as the description', () => {
    const text = '  3栋2单元501 卫生间天花板一直在滴水  ';
    const u = offline.understandNow(text);
    expect(suggestionPreset(u, text)).toEqual({
      kind: 'repair',
      category: 'leaks_fabric',
      location: { kind: 'unit', building: '3', unit: '2', room: '501' },
      description: '3栋2单元501 卫生间天花板一直在滴水',
    });
    expect(suggestionContext(u)).toEqual({
      urgency: 'urgent',
      summary: '3栋2单元501 卫生间天花板一直在滴水',
      suggested: true,
      suggestedBy: 'offline',
      confidence: u.confidence,
    });
  });

  it('leaves out a place it did not find, and cuts a long text to what the description step takes', () => {
    const text = '水'.repeat(DESCRIPTION_MAX + 50);
    const preset = suggestionPreset(offline.understandNow(text), text);
    expect(preset.location).toBeUndefined();
    expect([...String(preset.description)].length).toBe(DESCRIPTION_MAX);
  });

  it('as a preset of the complaint flow, skips the questions it answers and files nothing unconfirmed', () => {
    const text = '楼道的声控灯不亮，晚上上楼看不见';
    const c = new Conversation(registry, translate, {
      owner: { name: '王芳', phone: '+8613812345678', privacyNoticeShown: true },
    });
    const u = offline.understandNow(text);
    const out = c.start('complaint', {
      preset: { ...suggestionPreset(u, text), photos: [] },
      context: suggestionContext(u),
    });
    expect(effectsOf(out.output).filter((e) => e.type === 'ticket.create')).toEqual([]);
    expect(c.state.flow?.answers).toMatchObject({ kind: 'repair', category: 'public_facilities', description: text });
    // Started from suggestions: optional questions wait for an edit, so it goes straight to the read-back.
    expect(c.state.flow?.stepId).toBe('confirm');
  });
});
