/**
 * A model reading an emergency the rules did not: the owner is asked (unclear), never sent down the path.
 */
import { describe, expect, it } from 'vitest';
import { loadKeywords } from '../../src/adapters/ai/keywords-file.js';
import { OfflineAssistant } from '../../src/adapters/ai/offline.js';
import { makeHarness } from '../support/harness.js';

const offline = new OfflineAssistant(loadKeywords());

/** The offline assistant, with a model's reading that says "emergency" for every text. */
function alarmedModel(says: boolean) {
  return Object.assign(Object.create(offline) as OfflineAssistant, {
    understand: async (text: string, locale: 'zh-CN' | 'en') => ({
      ...(await offline.understand(text, locale)),
      ...(says ? { emergencyUnclear: true } : {}),
    }),
  });
}

describe('a model that reads an emergency the rules did not', () => {
  it('makes it unclear: the numbers and one question, nothing filed, nobody paged', async () => {
    const h = await makeHarness({ assistant: alarmedModel(true) });
    const { texts } = await h.send('楼道里的灯坏了好几天了，3栋2单元');
    const shown = texts.join('\n');
    expect(shown).toContain('119');
    expect(
      h
        .lastButtons()
        .map((b) => b.label)
        .join(' '),
    ).toMatch(/是|正在发生/);
    expect(await h.store.listTickets({})).toHaveLength(0);
  });

  it('changes nothing when the model agrees with the rules', async () => {
    const h = await makeHarness({ assistant: alarmedModel(false) });
    const { texts } = await h.send('楼道里的灯坏了好几天了，3栋2单元');
    expect(texts.join('\n')).not.toContain('119');
  });
});
