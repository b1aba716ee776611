import { describe, expect, it } from 'vitest';
import { formatUnit, parseLocation, parseUnit, toHalfWidth } from '../../src/core/location.js';

describe('toHalfWidth', () => {
  it('turns full-width digits and punctuation into ASCII', () => {
    expect(toHalfWidth('３栋２单元５０１')).toBe('3栋2单元501');
    expect(toHalfWidth('１２－１－１２０３')).toBe('12-1-1203');
    expect(toHalfWidth('3—2–501')).toBe('3-2-501');
    expect(toHalfWidth('3／2／501')).toBe('3/2/501');
    expect(toHalfWidth('３＃５０１')).toBe('3#501');
  });

  it('leaves other text alone', () => {
    expect(toHalfWidth('东门停车场 abc 123')).toBe('东门停车场 abc 123');
  });
});

describe('parseLocation', () => {
  const flat = (building: string, unit: string | undefined, room: string) => ({
    kind: 'unit',
    building,
    ...(unit !== undefined ? { unit } : {}),
    room,
  });

  it.each([
    ['3栋2单元501', flat('3', '2', '501')],
    ['3号楼2单元501室', flat('3', '2', '501')],
    ['３栋２单元５０１', flat('3', '2', '501')],
    ['3 栋 2 单元 501 室', flat('3', '2', '501')],
    ['3幢1单元302', flat('3', '1', '302')],
    ['3座2门1201房', flat('3', '2', '1201')],
    ['3栋501', flat('3', undefined, '501')],
    ['3#501', flat('3', undefined, '501')],
    ['3-2-501', flat('3', '2', '501')],
    ['3/2/501', flat('3', '2', '501')],
    ['12-1-1203', flat('12', '1', '1203')],
    ['１２－１－１２０３', flat('12', '1', '1203')],
    ['3 - 2 - 501', flat('3', '2', '501')],
    ['3-501', flat('3', undefined, '501')],
    ['Bldg 3 Unit 2 Rm 501', flat('3', '2', '501')],
    ['Building 3 Room 501', flat('3', undefined, '501')],
    ['bldg. 3, unit 2, rm. 501', flat('3', '2', '501')],
    ['Tower 5, Unit 1, Flat 1203', flat('5', '1', '1203')],
    ['Block A Room 1203', flat('A', undefined, '1203')],
    ['我家是3栋2单元501室，厨房漏水', flat('3', '2', '501')],
  ])('reads %j as a flat', (text, expected) => {
    expect(parseLocation(text)).toEqual(expected);
  });

  it.each([
    '东门停车场',
    '地下车库B区',
    '3栋电梯厅',
    '1号楼大堂',
    '东门3号岗亭',
    '2024-11-28',
    '12号车位',
    'the playground',
  ])('reads %j as a public area described by the text', (text) => {
    expect(parseLocation(text)).toEqual({ kind: 'public', description: text });
  });

  it('trims the description of a public area', () => {
    expect(parseLocation('  东门停车场 ')).toEqual({ kind: 'public', description: '东门停车场' });
  });
});

describe('parseUnit', () => {
  it('returns undefined when the text names no flat', () => {
    expect(parseUnit('东门停车场')).toBeUndefined();
    expect(parseUnit('')).toBeUndefined();
  });

  it('does not take a phone number for a flat', () => {
    expect(parseUnit('13812345678')).toBeUndefined();
  });
});

describe('formatUnit', () => {
  it('writes the short form of a flat, with or without a unit', () => {
    expect(formatUnit({ kind: 'unit', building: '3', unit: '2', room: '501' })).toBe('3-2-501');
    expect(formatUnit({ kind: 'unit', building: '3', room: '501' })).toBe('3-501');
  });

  it('writes a public area as its description', () => {
    expect(formatUnit({ kind: 'public', description: '东门停车场' })).toBe('东门停车场');
  });

  it('round-trips through parseLocation', () => {
    for (const text of ['3-2-501', '12-1-1203', '3-501']) {
      const loc = parseLocation(text);
      expect(formatUnit(loc)).toBe(text);
      expect(parseLocation(formatUnit(loc))).toEqual(loc);
    }
  });
});
