import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/core/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['3d', 259_200_000],
    ['1h30m', 5_400_000],
    ['2d12h', 216_000_000],
    ['1s500ms', 1_500],
    ['1m5s', 65_000],
    ['0s', 0],
    ['48h', 172_800_000],
    ['90m', 5_400_000],
  ])('reads %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('tolerates whitespace and case', () => {
    expect(parseDuration('  15m  ')).toBe(900_000);
    expect(parseDuration('1h 30m')).toBe(5_400_000);
    expect(parseDuration('15 m')).toBe(900_000);
    expect(parseDuration('1H30M')).toBe(5_400_000);
    expect(parseDuration('500MS')).toBe(500);
  });

  it.each([
    '',
    '   ',
    '-5m',
    '+5m',
    '1x',
    'h',
    '15',
    '1.5h',
    'm15',
    '30m1h',
    '1h1h',
    '5 m s',
    '1h-30m',
    '1e3ms',
    '99999999999999999999d',
  ])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [5_400_000, '1h30m'],
    [0, '0s'],
    [500, '500ms'],
    [1_500, '1s500ms'],
    [15_000, '15s'],
    [86_400_000, '1d'],
    [216_000_000, '2d12h'],
    [90_061_001, '1d1h1m1s1ms'],
  ])('writes %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 60_000, 3_599_999, 123_456_789]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it('rounds fractions and rejects negative or non-finite input', () => {
    expect(formatDuration(1_000.4)).toBe('1s');
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(Number.NaN)).toThrow(RangeError);
    expect(() => formatDuration(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
