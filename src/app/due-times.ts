/**
 * The moments something becomes due, as a binary min-heap: the dispatcher's loop sleeps until the soonest, and a
 * later one is not forgotten when the soonest passes.
 */
export class DueTimes {
  private readonly heap: number[] = [];

  add(at: number): void {
    const h = this.heap;
    h.push(at);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as number) <= at) break;
      h[i] = h[parent] as number;
      i = parent;
    }
    h[i] = at;
  }

  soonest(): number {
    return this.heap[0] ?? Number.POSITIVE_INFINITY;
  }

  /** Forgets the moments up to `now` (they are due: the claim that follows finds their items). */
  dropUntil(now: number): void {
    while (this.heap.length > 0 && (this.heap[0] as number) <= now) this.pop();
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop() as number;
    if (h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const c = r < h.length && (h[r] as number) < (h[l] as number) ? r : l;
      if ((h[c] as number) >= last) break;
      h[i] = h[c] as number;
      i = c;
    }
    h[i] = last;
  }
}
