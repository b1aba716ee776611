/**
 * The one text normaliser every matcher runs on (emergency rules, keywords, the classifier): Traditional
 * characters to Simplified (opencc-js, so 煤氣 matches 煤气), full-width letters, digits and punctuation to
 * half-width, lower case, zero-width and direction characters removed, curly apostrophes straight, every
 * run of whitespace one space. Pure and synchronous; the converter is built once, at its first use.
 */
import { Converter } from 'opencc-js/t2cn';

let converter: ((text: string) => string) | undefined;

/** Traditional to Simplified; the converter (its dictionaries, ~40 ms) is built at the first owner text, not at start-up. */
function toSimplified(text: string): string {
  const convert = converter ?? Converter({ from: 't', to: 'cn' });
  converter = convert;
  return convert(text);
}

/** Zero-width spaces and joiners, direction marks, word joiners and the byte-order mark. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]/g;

/** Full-width ASCII (！＂＃ … ～) and the ideographic space to their half-width forms. */
function halfWidth(text: string): string {
  return text.replace(/[\uff01-\uff5e\u3000]/g, (c) =>
    c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/**
 * The texts last normalised and their forms: one owner text is normalised by every reader of it (the
 * emergency rules, the keyword scores, the features, the place), some ten times in all, so it is worked out
 * once. A few are kept, since readers of two texts may take turns.
 */
const recent: { text: string; normalised: string }[] = [];
const RECENT = 4;

/** The normalised form of a text, for matching only (never shown, never stored). */
export function normalise(text: string): string {
  for (const r of recent) if (r.text === text) return r.normalised;
  const normalised = toSimplified(halfWidth(text.replace(INVISIBLE, '')))
    .replace(/[’‘`´]/g, "'")
    .replace(/[“”]/g, '"')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
  recent.unshift({ text, normalised });
  if (recent.length > RECENT) recent.pop();
  return normalised;
}

/**
 * Traditional characters as Simplified and nothing else, character for character and keeping the length
 * (a character whose Simplified form is longer, 嗰 → 𠮶, stays as it is), so an offset found in the result is
 * the same offset in the text: for matchers that take their answer from the owner's own words (a place:
 * 停車場 is found as 停车场 and kept as the owner wrote it).
 */
export function simplifiedInPlace(text: string): string {
  let out = '';
  for (const c of text) {
    const z = toSimplified(c);
    out += z.length === c.length ? z : c;
  }
  return out;
}
