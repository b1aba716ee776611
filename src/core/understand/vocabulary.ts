/**
 * The features a model's heads know, each once, numbered 0, 1, 2 … (model.ts). Held as three values rather
 * than a Map: every feature in one string, where each starts, and an open-addressing hash table of the ids,
 * so the ~42,000 features of the committed model are three objects for the garbage collector instead of a
 * string each plus a hash table (about a megabyte less heap, and the content snapshot reads them back as
 * three blocks instead of building a Map key by key).
 */
export interface Vocabulary {
  /** Every feature, one after another, in id order. */
  text: string;
  /** Feature id → where it starts in {@link text}; one more entry than features, the end of the last. */
  starts: Int32Array;
  /** Hash table slot → feature id + 1, 0 where empty; a power of two at least twice the features. */
  slots: Int32Array;
}

/** FNV-1a over the UTF-16 code units: short strings (most features are 1–8 characters), computed inline. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Feature `f`'s id, or -1 when the vocabulary does not hold it. */
export function featureId(v: Vocabulary, f: string): number {
  const { text, starts, slots } = v;
  const mask = slots.length - 1;
  for (let i = hashOf(f) & mask; ; i = (i + 1) & mask) {
    const slot = slots[i] as number;
    if (slot === 0) return -1;
    const id = slot - 1;
    const start = starts[id] as number;
    if ((starts[id + 1] as number) - start === f.length && text.startsWith(f, start)) return id;
  }
}

/** How many features the vocabulary holds. */
export const vocabularySize = (v: Vocabulary): number => v.starts.length - 1;

/** Feature `id`'s text. */
export const featureAt = (v: Vocabulary, id: number): string =>
  v.text.slice(v.starts[id] as number, v.starts[id + 1] as number);

/** One vocabulary for the features of several heads, numbered in the order given (each once). */
export function vocabularyOf(features: Iterable<Iterable<string>>): Vocabulary {
  const seen = new Set<string>();
  for (const list of features) for (const f of list) seen.add(f);
  const all = [...seen];
  const starts = new Int32Array(all.length + 1);
  all.forEach((f, id) => {
    starts[id + 1] = (starts[id] as number) + f.length;
  });
  let size = 1;
  while (size < all.length * 2) size *= 2;
  const slots = new Int32Array(size);
  const mask = size - 1;
  all.forEach((f, id) => {
    let i = hashOf(f) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = id + 1;
  });
  return { text: all.join(''), starts, slots };
}
