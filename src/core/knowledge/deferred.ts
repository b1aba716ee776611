/**
 * A knowledge index built or restored when first needed rather than at start-up. Restoring one from a snapshot
 * (MiniSearch's radix tree, the document frequencies) was a tenth of a start on a 2-core machine, and
 * nothing needs it before an owner's first enquiry: the bot says it is ready without it and builds it for
 * that enquiry (about 40 ms, once). Built at every start, it and the garbage of building it held 13 MB of an
 * idle bot's memory (109 MB of RSS, 91 without).
 *
 * Entries added before then (staff-saved knowledge, loaded at every start) are kept in order and added
 * when the index is built, so the index answers exactly as one restored at once and added to.
 */

import type { Locale } from '../types.js';
import type { KnowledgeEntry, KnowledgeMatch } from './entry.js';
import type { KnowledgeIndexState, RankedKnowledgeIndex, Ranking } from './search.js';

export class DeferredKnowledgeIndex implements RankedKnowledgeIndex {
  private built: RankedKnowledgeIndex | undefined;
  private readonly pending: (readonly KnowledgeEntry[])[] = [];

  /** `build` restores the index (called once, at the first need). */
  constructor(private build: (() => RankedKnowledgeIndex) | undefined) {}

  /** Whether the index has been built. */
  get ready(): boolean {
    return this.built !== undefined;
  }

  private index(): RankedKnowledgeIndex {
    if (this.built) return this.built;
    const build = this.build;
    if (!build) throw new Error('the knowledge index has no way to be built');
    const index = build();
    for (const entries of this.pending) index.add(entries);
    this.pending.length = 0;
    this.built = index;
    this.build = undefined; // its state is not kept alive beside the index
    return index;
  }

  answer(question: string, locale: Locale): KnowledgeMatch[] {
    return this.index().answer(question, locale);
  }

  add(entries: readonly KnowledgeEntry[]): void {
    if (this.built) this.built.add(entries);
    else if (entries.length > 0) this.pending.push([...entries]);
  }

  remove(id: string): boolean {
    return this.index().remove(id);
  }

  get(id: string): KnowledgeEntry | undefined {
    return this.index().get(id);
  }

  entries(): KnowledgeEntry[] {
    return this.index().entries();
  }

  rank(question: string): Ranking {
    return this.index().rank(question);
  }

  toState(): KnowledgeIndexState {
    return this.index().toState();
  }
}
