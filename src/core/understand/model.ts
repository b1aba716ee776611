/**
 * A small multinomial logistic regression (softmax) over sparse features, written out because it is
 * short: one "head" per question (intent, category, kind, urgency), trained by plain stochastic gradient
 * descent in a fixed, seeded order, so the same data always gives the same weights. Features are words
 * and n-grams (value 1, scaled to unit length) plus a few named real values (the keyword scores), whose
 * weights the training learns like any other: the rules count as much as the data says they should.
 */

import { featureId, type Vocabulary, vocabularyOf, vocabularySize } from './vocabulary.js';

/** One training or prediction input: sparse binary features and named real-valued ones. */
export interface Input {
  features: readonly string[];
  /** Real-valued features (e.g. `kw:lift` = the keyword score for lift), not scaled. */
  values?: Readonly<Record<string, number>>;
}

/**
 * One head's weights, flat: feature `f`'s weight for label `k` is
 * `weights[rows[featureId(vocabulary, f)] * labels.length + k]`, with no weight where the row is -1 (the head
 * dropped the feature). All heads of a model share one vocabulary (vocabulary.ts), so a feature exists once
 * however many heads weigh it (five maps of their own held ~95,000 strings for ~42,000 features); they stay
 * shared through the content snapshot, whose V8 serialisation keeps an object referred to twice as one.
 * One array per head rather than one per feature: a model holds some 80,000 rows (200,000 when trained at
 * start-up), and an object per feature made it most of the bot's heap. The weights are single precision
 * (half the memory; the committed ones have 3 decimals), summed in double as before.
 */
export interface Head<L extends string = string> {
  labels: readonly L[];
  /** The features, shared by every head of the model (the same object). */
  vocabulary: Vocabulary;
  /** Vocabulary id → this head's row in {@link weights}, -1 where it has none. */
  rows: Int32Array;
  weights: Float32Array;
  bias: Float64Array;
}

/**
 * A head as training leaves it: features numbered by the head itself, double-precision weights. What the
 * weights file is written from ({@link headToJson}), so rounding sees the trained values; {@link compactHeads}
 * makes the heads a model scores with.
 */
export interface TrainedHead<L extends string = string> {
  labels: readonly L[];
  /** Feature → its row in {@link weights}. */
  rowOf: Map<string, number>;
  weights: Float64Array;
  bias: Float64Array;
}

export interface TrainOptions {
  epochs?: number;
  /** The starting learning rate; it decays as 1/(1 + epoch/4). */
  rate?: number;
  /** L2 penalty per update. */
  l2?: number;
  seed?: number;
}

/** A label and its probability, best first. */
export interface Scored<L extends string = string> {
  label: L;
  p: number;
}

/**
 * Each weighted feature of an input, in order: its words and n-grams scaled by 1/√n, then its non-zero values.
 * The one definition, for training ({@link vectorOf}) and for scoring ({@link scores}) alike.
 */
function eachValue(input: Input, visit: (feature: string, x: number) => void): void {
  const n = input.features.length;
  const scale = n > 0 ? 1 / Math.sqrt(n) : 0;
  for (const f of input.features) visit(f, scale);
  for (const [k, x] of Object.entries(input.values ?? {})) if (x !== 0) visit(k, x);
}

function vectorOf(input: Input): [string, number][] {
  const v: [string, number][] = [];
  eachValue(input, (f, x) => v.push([f, x]));
  return v;
}

function softmax(z: Float64Array): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of z) max = Math.max(max, x);
  let sum = 0;
  const out = new Float64Array(z.length);
  for (let i = 0; i < z.length; i++) {
    out[i] = Math.exp((z[i] ?? 0) - max);
    sum += out[i] ?? 0;
  }
  for (let i = 0; i < z.length; i++) out[i] = (out[i] ?? 0) / sum;
  return out;
}

/** The head's scores for an input, summed value by value ({@link eachValue}) without building its vector. */
function scores(head: Head, input: Input): Float64Array {
  const z = Float64Array.from(head.bias);
  const L = z.length;
  const { vocabulary, rows, weights } = head;
  eachValue(input, (f, x) => {
    const id = featureId(vocabulary, f);
    if (id < 0) return;
    const row = rows[id] as number;
    if (row < 0) return;
    const base = row * L;
    for (let k = 0; k < L; k++) z[k] = (z[k] as number) + (weights[base + k] as number) * x;
  });
  return z;
}

/** A deterministic shuffle (mulberry32), so training never depends on Math.random. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** Trains one head on labelled inputs. Labels not in `labels` are skipped. */
export function trainHead<L extends string>(
  labels: readonly L[],
  examples: readonly { input: Input; label: L }[],
  opts: TrainOptions = {},
): TrainedHead<L> {
  const { epochs = 20, rate = 0.5, l2 = 1e-5, seed = 14 } = opts;
  const L = labels.length;
  const index = new Map(labels.map((l, i) => [l, i]));
  // Features are numbered once, and the weights kept in one flat array while training.
  const ids = new Map<string, number>();
  const data = examples
    .filter((e) => index.has(e.label))
    .map((e) => {
      const v = vectorOf(e.input);
      const f = Int32Array.from(v, ([name]) => {
        let id = ids.get(name);
        if (id === undefined) {
          id = ids.size;
          ids.set(name, id);
        }
        return id;
      });
      return { f, x: Float64Array.from(v, ([, x]) => x), y: index.get(e.label) as number };
    });
  const w = new Float64Array(ids.size * L);
  const bias = new Float64Array(L);
  const z = new Float64Array(L);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = rate / (1 + epoch / 4);
    const decay = 1 - lr * l2;
    for (const { f, x, y } of shuffled(data, seed + epoch)) {
      z.set(bias);
      for (let i = 0; i < f.length; i++) {
        const base = (f[i] as number) * L;
        const xi = x[i] as number;
        for (let k = 0; k < L; k++) z[k] = (z[k] as number) + (w[base + k] as number) * xi;
      }
      const p = softmax(z);
      for (let k = 0; k < L; k++) p[k] = (p[k] as number) - (k === y ? 1 : 0);
      for (let k = 0; k < L; k++) bias[k] = (bias[k] as number) - lr * (p[k] as number);
      for (let i = 0; i < f.length; i++) {
        const base = (f[i] as number) * L;
        const step = lr * (x[i] as number);
        for (let k = 0; k < L; k++) w[base + k] = (w[base + k] as number) * decay - step * (p[k] as number);
      }
    }
  }
  return { labels, rowOf: ids, weights: w, bias };
}

/** Every label of a head with its probability, best first (ties keep the head's label order). */
export function predict<L extends string>(head: Head<L>, input: Input): Scored<L>[] {
  const p = softmax(scores(head, input));
  return head.labels
    .map((label, k) => ({ label, p: p[k] ?? 0, k }))
    .sort((a, b) => b.p - a.p || a.k - b.k)
    .map(({ label, p }) => ({ label, p }));
}

/**
 * A head as plain JSON, weights rounded to 3 decimals and features whose weights are all below
 * {@link KEEP_WEIGHT} left out (a feature's input is at most 1/√n, so together they move a score by a few
 * hundredths at most): what the committed weights file holds.
 */
export interface HeadJson {
  labels: string[];
  bias: number[];
  weights: Record<string, number[]>;
}

/**
 * The smallest weight worth keeping. 0.03 rather than 0.01 made the weights file a sixth smaller (so
 * start-up reads less) with the same readings, measured with each dev set held out in turn; 0.04 (from the
 * sixth round, with dev-6 trained on) keeps it near 4.7 MB as the data grows, again with the same readings;
 * 0.06 (seventh round, dev-7 and dev-8 trained on) likewise (0.07 lost a kind reading). The category head
 * keeps a threshold of its own (intent.ts).
 */
export const KEEP_WEIGHT = 0.06;

const round3 = (x: number) => Math.round(x * 1e3) / 1e3 || 0;

export function headToJson(head: TrainedHead, keep = KEEP_WEIGHT): HeadJson {
  const weights: Record<string, number[]> = {};
  const L = head.labels.length;
  for (const [f, row] of head.rowOf) {
    const w = head.weights.subarray(row * L, (row + 1) * L);
    if (w.some((x) => Math.abs(x) >= keep)) weights[f] = Array.from(w, round3);
  }
  return { labels: [...head.labels], bias: Array.from(head.bias, round3), weights };
}

/**
 * A head over a shared vocabulary from its rows (feature → one weight per label, in row order); every
 * feature must be in the vocabulary.
 */
function compactHead<L extends string>(
  labels: readonly L[],
  vocabulary: Vocabulary,
  entries: readonly (readonly [string, ArrayLike<number>])[],
  bias: ArrayLike<number>,
): Head<L> {
  const L = labels.length;
  const rows = new Int32Array(vocabularySize(vocabulary)).fill(-1);
  const weights = new Float32Array(entries.length * L);
  entries.forEach(([f, w], row) => {
    const id = featureId(vocabulary, f);
    if (id < 0) throw new Error(`the feature ${f} is not in the vocabulary`);
    if (w.length !== L) throw new Error(`the weights of ${f} are not one per label`);
    rows[id] = row;
    weights.set(w, row * L);
  });
  return { labels, vocabulary, rows, weights, bias: Float64Array.from(bias) };
}

/** Trained heads made the heads a model scores with, sharing one vocabulary (see {@link Head}). */
export function compactHeads<T extends Record<string, TrainedHead>>(
  heads: T,
): { [K in keyof T]: Head<T[K]['labels'][number]> } {
  const vocabulary = vocabularyOf(Object.values(heads).map((h) => h.rowOf.keys()));
  const out: Record<string, Head> = {};
  for (const [name, h] of Object.entries(heads)) {
    const L = h.labels.length;
    const entries = [...h.rowOf].map(([f, row]) => [f, h.weights.subarray(row * L, (row + 1) * L)] as const);
    out[name] = compactHead(h.labels, vocabulary, entries, h.bias);
  }
  return out as { [K in keyof T]: Head<T[K]['labels'][number]> };
}

/**
 * A head read back from {@link headToJson} over `vocabulary`, which must hold its features (see
 * vocabularyOf in vocabulary.ts); its labels must be the ones expected, in order.
 */
export function headFromJson<L extends string>(labels: readonly L[], json: HeadJson, vocabulary: Vocabulary): Head<L> {
  if (json.labels.length !== labels.length || json.labels.some((l, i) => l !== labels[i]))
    throw new Error(`the head's labels ${json.labels.join(',')} are not ${labels.join(',')}`);
  return compactHead(labels, vocabulary, Object.entries(json.weights), json.bias);
}
