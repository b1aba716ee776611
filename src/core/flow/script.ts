/**
 * Which script a message is written in, to answer an owner in their language from the first message.
 * Pure. Han characters and Latin words are weighed against each other (a Chinese word is about 1.5
 * characters); flats (3栋2单元501), digits, commands and web addresses do not count.
 */

/** `latin`: mostly English; `han`: mostly Chinese; `mixed`: unsure; undefined: too little to tell (1, 👍, ok). */
export type Script = 'latin' | 'han' | 'mixed';

/** At or above this share of Latin words a message is English; at or below 1 − it, Chinese. */
const CLEAR = 0.75;

export function readScript(text: string): Script | undefined {
  const s = text
    .replace(/https?:\/\/\S+|www\.\S+/gi, ' ')
    .replace(/^\/\w+/, ' ')
    // Place words beside numbers (3栋, 2单元, 501室, A座) say nothing of the language.
    .replace(/[A-Za-z]?\d+\s*(?:栋|幢|号楼|号|单元|室|座|层|楼|[A-Za-z](?![A-Za-z]))?/g, ' ');
  const han = (s.match(/\p{Script=Han}/gu) ?? []).length;
  const latin = (s.match(/[A-Za-z]{2,}/g) ?? []).length;
  if (han === 0 && latin === 0) return undefined;
  // One Latin word alone (hi, ok, hello) is written by Chinese owners too: it decides nothing.
  if (han === 0 && latin < 2) return undefined;
  const share = latin / (latin + han / 1.5);
  if (share >= CLEAR) return 'latin';
  if (share <= 1 - CLEAR) return 'han';
  return 'mixed';
}
