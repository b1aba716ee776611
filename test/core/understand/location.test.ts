import { describe, expect, it } from 'vitest';
import {
  chineseNumber,
  findFlat,
  findLocation,
  findPublicArea,
  isPublicAreaText,
  readLocationAnswer,
  replaceFlats,
} from '../../../src/core/understand/location.js';

const flat = (building: string, unit: string | undefined, room: string) => ({
  kind: 'unit',
  building,
  ...(unit !== undefined ? { unit } : {}),
  room,
});
const pub = (description: string) => ({ kind: 'public', description });

describe('findFlat: the usual ways owners write building / unit / room', () => {
  it.each([
    ['3栋2单元501', flat('3', '2', '501')],
    ['3号楼2单元501室', flat('3', '2', '501')],
    ['3 栋 2 单元 501 室', flat('3', '2', '501')],
    ['３栋２单元５０１', flat('3', '2', '501')],
    ['三栋二单元402', flat('3', '2', '402')],
    ['十二栋一单元1203', flat('12', '1', '1203')],
    ['3幢1单元302', flat('3', '1', '302')],
    ['3座2门1201房', flat('3', '2', '1201')],
    ['12号楼1单元5楼502', flat('12', '1', '502')],
    ['3栋501', flat('3', undefined, '501')],
    ['3#501', flat('3', undefined, '501')],
    ['3#2-501', flat('3', '2', '501')],
    ['A座1203', flat('A', undefined, '1203')],
    ['3-2-501', flat('3', '2', '501')],
    ['3/2/501', flat('3', '2', '501')],
    ['12-1-1203', flat('12', '1', '1203')],
    ['3-501', flat('3', undefined, '501')],
    ['Bldg 3 Unit 2 Rm 501', flat('3', '2', '501')],
    ['bldg. 3, unit 2, rm. 501', flat('3', '2', '501')],
    ['Block 3, 5F, room 501', flat('3', undefined, '501')],
    ['Block 5, 18F, room 1801', flat('5', undefined, '1801')],
    ['Tower 5, Unit 1, Flat 1203', flat('5', '1', '1203')],
    ['Building 3 #501', flat('3', undefined, '501')],
    ['Block A Room 1203', flat('A', undefined, '1203')],
    ['block b room 1203', flat('B', undefined, '1203')],
    ['flat 1102 in building 5', flat('5', undefined, '1102')],
    ['Room 501, Unit 2, Building 3', flat('3', '2', '501')],
    ['我家是3栋2单元501室，厨房漏水', flat('3', '2', '501')],
    ['No power since 8am. Bldg 3 Unit 2 Rm 501, thanks', flat('3', '2', '501')],
  ])('reads %j', (text, expected) => {
    expect(findFlat(text)).toEqual(expected);
  });

  it.each([
    '2024-11-28',
    '13812345678',
    '138-1234-5678',
    '021-12345678',
    '京A12345',
    '300-500元',
    '10-200元',
    '等了3-5天',
    '7号楼楼下',
    '2号楼电梯',
    '我家住23楼',
    '地下车库B区',
    'the lift in building 2',
    '',
  ])('finds no flat in %j', (text) => {
    expect(findFlat(text)).toBeUndefined();
  });
});

describe('findPublicArea', () => {
  it.each([
    ['地下车库B区', pub('地下车库B区')],
    ['地下车库B区的灯坏了好几个', pub('地下车库B区')],
    ['地下停车场B2层好多车位画线看不清', pub('地下停车场B2层')],
    ['东门停车场', pub('东门停车场')],
    ['东门晚上十点就锁了', pub('东门')],
    ['2号楼电梯又坏了', pub('2号楼电梯')],
    ['1栋的货梯什么时候修好', pub('1栋货梯')],
    ['就在7号楼楼下', pub('7号楼楼下')],
    ['4号楼一楼的配电箱在冒烟', pub('4号楼一楼')],
    ['楼道里的灭火器过期了', pub('楼道')],
    ['I smell gas in the stairwell', pub('stairwell')],
    ['leaves rubbish in the shared corridor', pub('shared corridor')],
    ['stuck in the lift between floors in building 9', pub('building 9')],
    ['Gate barrier at the north gate is broken', pub('north gate')],
  ])('reads %j', (text, expected) => {
    expect(findPublicArea(text)).toEqual(expected);
  });

  it('finds a place written in Traditional characters and keeps it as the owner wrote it', () => {
    expect(findPublicArea('停車場有人打交 快啲叫保安過嚟')).toEqual(pub('停車場'));
    expect(findPublicArea('後樓梯好黑 燈壞咗')).toEqual(pub('後樓梯'));
    expect(findPublicArea('5棟電梯又壞咗')).toEqual(pub('5棟電梯'));
  });

  it('finds the shared places owners name most (play area, ramp, fountain, loading bay)', () => {
    expect(findPublicArea('儿童乐园有小孩从滑梯上摔下来了')).toEqual(pub('儿童乐园'));
    expect(findPublicArea('單車坡道嗰度有人跌親')).toEqual(pub('單車坡道'));
    expect(findPublicArea('The pipe by the fountain has burst')).toEqual(pub('fountain'));
    expect(findPublicArea('smells like gas by the loading bay')).toEqual(pub('loading bay'));
  });

  it('names the building when there is one, with the place in it', () => {
    expect(findPublicArea('An old man fell down the stairs in block 2')).toEqual(pub('stairs in block 2'));
    expect(findPublicArea('He fell in the stairwell of block 2')).toEqual(pub('stairwell of block 2'));
    expect(findPublicArea('楼道里太黑了，5号楼')).toEqual(pub('5号楼'));
  });

  it.each(['电梯里有人吐了', 'someone threw up in the lift', '广场舞太吵了', '厨房水龙头坏了', 'the tap drips'])(
    'finds no public area in %j (a bare lift is what is broken, not where)',
    (text) => {
      expect(findPublicArea(text)).toBeUndefined();
    },
  );
});

describe('findLocation and readLocationAnswer', () => {
  it('prefers a flat to a public area', () => {
    expect(findLocation('3栋2单元501门口的楼道灯坏了')).toEqual(flat('3', '2', '501'));
    expect(findLocation('楼道灯坏了')).toEqual(pub('楼道'));
    expect(findLocation('灯坏了')).toBeUndefined();
  });

  it('reads a location answer as a flat or else the whole text as a public area', () => {
    expect(readLocationAnswer('Bldg 3 Unit 2 Rm 501')).toEqual(flat('3', '2', '501'));
    expect(readLocationAnswer('  东门停车场 ')).toEqual(pub('东门停车场'));
  });
});

describe('helpers', () => {
  it('reads Chinese numerals up to 99', () => {
    expect(chineseNumber('三')).toBe(3);
    expect(chineseNumber('十')).toBe(10);
    expect(chineseNumber('十二')).toBe(12);
    expect(chineseNumber('二十一')).toBe(21);
    expect(chineseNumber('两')).toBe(2);
    expect(chineseNumber('abc')).toBeUndefined();
  });

  it('replaces every flat in a text', () => {
    expect(replaceFlats('3栋2单元501和12-1-1203都漏水', '[FLAT]')).toBe('[FLAT]和[FLAT]都漏水');
    expect(replaceFlats('Bldg 3 Unit 2 Rm 501: leak', '[FLAT]')).toBe('[FLAT]: leak');
  });

  it('accepts a short one-line public-area text only', () => {
    expect(isPublicAreaText('地下车库B区')).toBe(true);
    expect(isPublicAreaText('x')).toBe(false);
    expect(isPublicAreaText('a\nb')).toBe(false);
    expect(isPublicAreaText('很长'.repeat(20))).toBe(false);
    expect(isPublicAreaText('{"x":1}')).toBe(false);
  });
});
