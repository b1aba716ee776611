import type { Clock } from '../../src/core/ports.js';

/** A clock tests move by hand. */
export class FakeClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-11-28T02:00:00Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
