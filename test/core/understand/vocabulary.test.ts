/**
 * The model's vocabulary (src/core/understand/vocabulary.ts): every feature once, found again by its text
 * whatever it is made of, and nothing else found.
 */
import { describe, expect, it } from 'vitest';
import { featureAt, featureId, vocabularyOf, vocabularySize } from '../../../src/core/understand/vocabulary.js';

describe('the vocabulary', () => {
  const lists = [
    ['漏水', 'w:tap', 'kw:lift', '困', 'a', 'ab'],
    ['ab', '漏水', 'lk:unit', 'é', '😀', ''],
    Array.from({ length: 5000 }, (_, i) => `f${i}`),
  ];
  const v = vocabularyOf(lists);
  const all = [...new Set(lists.flat())];

  it('numbers each feature once, in the order first given, and finds it by its text', () => {
    expect(vocabularySize(v)).toBe(all.length);
    all.forEach((f, id) => {
      expect(featureId(v, f)).toBe(id);
      expect(featureAt(v, id)).toBe(f);
    });
  });

  it('finds nothing it was not given: a prefix, a longer text, another feature joined on', () => {
    for (const f of ['漏', '漏水了', 'w:ta', 'w:tapx', 'abw', 'f5000', 'F1', 'kw:liftlk:unit'])
      expect(featureId(v, f)).toBe(-1);
    expect(featureId(vocabularyOf([]), 'a')).toBe(-1);
  });
});
