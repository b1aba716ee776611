/**
 * Finds a place in what an owner writes, anywhere in a longer message: a flat written the usual ways
 * (3栋2单元501, 3号楼2单元501室, 三栋二单元501, 3-2-501, 3#2-501, A座1203, Bldg 3 Unit 2 Rm 501,
 * Block 3, 5F, room 501, flat 501 in building 3), else a public area the owner names (地下车库B区,
 * 2号楼电梯, 东门, the stairwell, building 7). Pure. Extends `src/core/location.ts`, whose forms it reads too.
 *
 * A bare lift (电梯, the lift) is not a place: it is what is broken, and without a building staff would
 * not know where to go. Qualified by a building (2号楼电梯, the lift in building 9) it is.
 */
import { toHalfWidth } from '../location.js';
import type { EstateLocation } from '../types.js';
import { simplifiedInPlace } from './normalise.js';

export type FlatLocation = Extract<EstateLocation, { kind: 'unit' }>;

const CN_DIGIT: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 三 → 3, 十二 → 12, 二十一 → 21 (up to 99); undefined for anything else. */
export function chineseNumber(s: string): number | undefined {
  if (!/^[零〇一二两三四五六七八九十]{1,3}$/.test(s)) return undefined;
  const [tens, ones] = s.includes('十') ? s.split('十') : [undefined, s];
  if (s.includes('十')) {
    const t = tens === '' || tens === undefined ? 1 : CN_DIGIT[tens];
    const o = ones === '' || ones === undefined ? 0 : CN_DIGIT[ones];
    return t === undefined || o === undefined ? undefined : t * 10 + o;
  }
  return s.length === 1 ? CN_DIGIT[s] : undefined;
}

/** Turns Chinese numerals before 栋/号楼/单元 into digits, and full-width forms into ASCII. */
function normalise(text: string): string {
  return toHalfWidth(text)
    .replace(/[０-９Ａ-Ｚａ-ｚ]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[零〇一二两三四五六七八九十]{1,3}(?=\s*(?:栋|幢|号楼|座|单元))/g, (m) => String(chineseNumber(m) ?? m));
}

const B = String.raw`([A-Za-z]|\d{1,3})`;
const FLOOR_ZH = String.raw`(?:\d{1,2}\s*(?:楼|层|F|f)\s*)?`;
const ROOM_SUFFIX_GUARD = String.raw`(?!\d|\s*(?:元|块|米|分|点|岁|平|天|次|个|人|辆|小时|mm|cm|kg|%))`;

/** 3栋2单元501, 3号楼2单元5楼501室, 3#2-501, 3#501, A座1203, 3栋 501. */
const ZH_FLAT = new RegExp(
  String.raw`(?<![\dA-Za-z])${B}\s*(?:栋|幢|号楼|号|座|#楼?)\s*(?:(\d{1,2})\s*(?:单元|门|-)\s*)?${FLOOR_ZH}(\d{2,5})${ROOM_SUFFIX_GUARD}\s*(?:室|号|房)?`,
  'u',
);
/** 3-2-501, 3/2/501 (not a date such as 2024-11-28, nor a phone number). */
const DASHED = new RegExp(
  String.raw`(?<![\d.:/-])(\d{1,3})\s*[-/]\s*(\d{1,2})\s*[-/]\s*(\d{2,5})(?![\d.:/-])${ROOM_SUFFIX_GUARD}`,
  'u',
);
/** 3-501 (no unit). */
const DASHED_SHORT = new RegExp(
  String.raw`(?<![\d.:/-])(\d{1,3})\s*-\s*(\d{3,5})(?![\d.:/-])${ROOM_SUFFIX_GUARD}`,
  'u',
);
/** Bldg 3 Unit 2 Rm 501 / Block 3, 5F, room 501 / Tower 5, Unit 1, Flat 1203 / building 3 #501. */
const EN_FLAT = new RegExp(
  String.raw`(?<![a-z])(?:bldg|building|block|blk|tower)\.?\s*(?:no\.?\s*)?#?\s*([a-z]|\d{1,3})(?![a-z\d])\s*,?\s*` +
    String.raw`(?:(?:unit|entrance|ent)\.?\s*#?\s*(\d{1,2})\s*,?\s*)?` +
    String.raw`(?:(?:\d{1,2}\s*(?:/f|f|fl|floor)|(?:floor|fl)\.?\s*\d{1,2}|\d{1,2}(?:st|nd|rd|th)\s+floor)\s*,?\s*)?` +
    String.raw`(?:rm|room|flat|apt|apartment|#|no)\.?\s*#?\s*(\d{2,5})(?!\d)`,
  'iu',
);
/** Room 501, Unit 2, Building 3 / flat 1102 in building 5. */
const EN_FLAT_REVERSED = new RegExp(
  String.raw`(?<![a-z])(?:rm|room|flat|apt|apartment)\.?\s*#?\s*(\d{2,5})(?!\d)\s*,?\s*(?:(?:in|of|at)\s+)?` +
    String.raw`(?:(?:unit|entrance)\.?\s*(\d{1,2})\s*,?\s*(?:(?:in|of|at)\s+)?)?(?:the\s+)?(?:bldg|building|block|blk|tower)\.?\s*#?\s*([a-z]|\d{1,3})(?![a-z\d])`,
  'iu',
);

const flat = (building: string, unit: string | undefined, room: string): FlatLocation => ({
  kind: 'unit',
  building: building.toUpperCase(),
  ...(unit ? { unit } : {}),
  room,
});

/** Every way of writing a flat, each with how to read its match; the first match in this order wins. */
const FLAT_FORMS: { re: RegExp; read: (m: RegExpExecArray) => FlatLocation | undefined }[] = [
  { re: ZH_FLAT, read: (m) => (m[1] && m[3] ? flat(m[1], m[2], m[3]) : undefined) },
  { re: EN_FLAT, read: (m) => (m[1] && m[3] ? flat(m[1], m[2], m[3]) : undefined) },
  { re: EN_FLAT_REVERSED, read: (m) => (m[1] && m[3] ? flat(m[3], m[2], m[1]) : undefined) },
  { re: DASHED, read: (m) => (m[1] && m[2] && m[3] ? flat(m[1], m[2], m[3]) : undefined) },
  { re: DASHED_SHORT, read: (m) => (m[1] && m[2] ? flat(m[1], undefined, m[2]) : undefined) },
];

/** Finds a flat (building / unit / room) anywhere in free text; undefined when there is none. */
export function findFlat(text: string): FlatLocation | undefined {
  const s = normalise(text);
  for (const form of FLAT_FORMS) {
    const m = form.re.exec(s);
    const loc = m ? form.read(m) : undefined;
    if (loc) return loc;
  }
  return undefined;
}

/**
 * Replaces every flat the text names with `replacement`. The text comes back normalised as the parser
 * reads it (full-width forms as ASCII, 三栋 as 3栋), which is fine for what it is used for: text for a model.
 */
export function replaceFlats(text: string, replacement: string): string {
  let s = normalise(text);
  for (const form of FLAT_FORMS) {
    const re = new RegExp(form.re.source, `${form.re.flags}g`);
    s = s.replace(re, (...args: unknown[]) => {
      const groups = args.slice(0, -2) as string[];
      const m = Object.assign([...groups], { index: 0, input: '' }) as unknown as RegExpExecArray;
      return form.read(m) ? replacement : (groups[0] ?? '');
    });
  }
  return s;
}

// ── public areas ──────────────────────────────────────────────────────────

/** Public places in Chinese, longest first where one contains another. */
const ZH_PLACES = [
  '地下车库',
  '地下停车场',
  '地库',
  '停车场',
  '车库出口',
  '车库入口',
  '车库门口',
  '车库',
  '地下室',
  '楼道',
  '走廊',
  '楼梯间',
  '楼梯',
  '电梯厅',
  '大堂',
  '门厅',
  '小区门口',
  '小区大门',
  '单元门口',
  '东门',
  '南门',
  '西门',
  '北门',
  '正门',
  '后门',
  '侧门',
  '岗亭',
  '门岗',
  '花园',
  '花坛',
  '草坪',
  '草地',
  '绿化带',
  '公共绿地',
  '儿童游乐场',
  '游乐场',
  '健身区',
  '篮球场',
  '球场',
  '运动场',
  '中心广场',
  '广场(?!舞)',
  '垃圾站',
  '垃圾房',
  '垃圾分类点',
  '天台',
  '楼顶',
  '会所',
  '泳池',
  '游泳池',
  '消防通道',
  '马路',
  '配电房',
  '水泵房',
  '自行车棚',
  '车棚',
  '快递驿站',
  // Added in round 8 (places the dev writers named that no pattern found).
  '儿童乐园',
  '乐园',
  '滑梯',
  '秋千',
  '单车坡道',
  '自行车坡道',
  '坡道',
  '喷泉',
  '中庭',
  '平台花园',
  '快递柜',
  '健身房',
  '门卫室',
  '保安亭',
  '充电桩',
  '装卸区',
  '走火通道',
  '后楼梯',
  '楼梯口',
];

/** What may follow a building to name a place in it: 7号楼楼下, 2号楼电梯, 4号楼一楼, 1栋的货梯. */
const ZH_IN_BUILDING = String.raw`(?:的)?(?:楼下|楼顶|楼道|门口|大堂|门厅|电梯厅|电梯|货梯|楼梯间|楼梯|天台|地下室|单元门口|外墙|[一二三四五六七八九十\d]{1,2}\s*(?:楼|层))`;

const ZH_BUILDING = new RegExp(
  String.raw`(?<![\dA-Za-z])${B}\s*(?:栋|幢|号楼|座)(?:\s*\d{1,2}\s*单元)?(?:${ZH_IN_BUILDING})?`,
  'u',
);
const ZH_PLACE_WORD = `(?:${ZH_PLACES.join('|')})`;
const ZH_PLACE = new RegExp(
  String.raw`(?:[东南西北]{1,2}(?:侧|边)?)?${ZH_PLACE_WORD}(?:的?${ZH_PLACE_WORD})?(?:\s*[A-Za-z]?\d{0,2}\s*(?:区|层|号口|出口|入口))?`,
  'u',
);

const EN_PLACES = [
  'underground garage',
  'underground car park',
  'car park',
  'parking lot',
  'parking garage',
  'garage door',
  'garage',
  'basement',
  'stairwell',
  'staircase',
  'hallway',
  'corridor',
  'lobby',
  'entrance hall',
  'main entrance',
  '(?:main|north|south|east|west|front|back|side) gate',
  'gatehouse',
  'guardhouse',
  'playground',
  'basketball court',
  'tennis court',
  'garden',
  'lawn',
  'bike shed',
  'bicycle shed',
  'garbage room',
  'bin room',
  'bin area',
  'rubbish room',
  'rooftop',
  'clubhouse',
  'swimming pool',
  'pool',
  'fire escape',
  'fountain',
  'pond',
  'loading bay',
  'gym',
  'mail room',
  'parcel room',
  'courtyard',
  'kids area',
  'podium',
];
const EN_BUILDING = new RegExp(
  String.raw`(?<![a-z])(?:(?:the\s+)?(lift|elevator|lobby|stairwell|stairs|roof|basement)\s+(?:in|of|at)\s+)?` +
    String.raw`(?:bldg|building|block|blk|tower)\.?\s*#?\s*([a-z]|\d{1,3})(?![a-z\d])(?:'s\s+(lift|elevator|lobby|stairwell))?`,
  'iu',
);
const EN_PLACE = new RegExp(
  String.raw`(?<![a-z])(?:(?:shared|common|public|communal)\s+)?(?:${EN_PLACES.join('|')})(?![a-z])(?:\s+(?:[a-z]?\d{1,2}|[a-z])(?![a-z\d]))?`,
  'iu',
);

/** The longest description of a public area taken from the text. */
const PUBLIC_MAX = 30;

/** Finds a public area the owner names; undefined when there is none. */
export function findPublicArea(text: string): Extract<EstateLocation, { kind: 'public' }> | undefined {
  const s = normalise(text);
  // Chinese places are found in Simplified (停車場 as 停车场) and described as the owner wrote them.
  const zs = simplifiedInPlace(s);
  const own = (m: RegExpExecArray) => s.slice(m.index, m.index + m[0].length);
  const candidates: { at: number; description: string; building: boolean }[] = [];
  const zb = ZH_BUILDING.exec(zs);
  if (zb)
    candidates.push({ at: zb.index, description: own(zb).replace(/的/g, '').replace(/\s+/g, ''), building: true });
  const eb = EN_BUILDING.exec(s);
  if (eb)
    candidates.push({
      at: eb.index,
      description: eb[0].trim().replace(/\s+/g, ' ').replace(/^the /i, ''),
      building: true,
    });
  const zp = ZH_PLACE.exec(zs);
  if (zp)
    candidates.push({ at: zp.index, description: own(zp).replace(/的/g, '').replace(/\s+/g, ''), building: false });
  const ep = EN_PLACE.exec(s);
  if (ep)
    candidates.push({ at: ep.index, description: ep[0].trim().replace(/\s+/g, ' ').toLowerCase(), building: false });
  if (candidates.length === 0) return undefined;
  // A building named anywhere says more than a place word (the stairs in block 2 → block 2).
  candidates.sort((a, b) => Number(b.building) - Number(a.building) || a.at - b.at);
  const best = candidates[0];
  if (!best) return undefined;
  return { kind: 'public', description: [...best.description].slice(0, PUBLIC_MAX).join('') };
}

/** A flat if the text names one, else a public area it names, else undefined. */
export function findLocation(text: string): EstateLocation | undefined {
  return findFlat(text) ?? findPublicArea(text);
}

/**
 * Reads the answer to a "where?" question: a flat when the text names one, otherwise the whole text as
 * a public area (what `parseLocation` in `src/core/location.ts` does, with the extra forms read here).
 */
export function readLocationAnswer(text: string): EstateLocation {
  return findFlat(text) ?? { kind: 'public', description: text.trim() };
}

/** Whether a place string is acceptable as a public-area description: short, one line, no flat in it. */
export function isPublicAreaText(text: string): boolean {
  const t = text.trim();
  return t.length >= 2 && [...t].length <= PUBLIC_MAX && !/[\r\n\t]/.test(t) && !/[<>{}[\]`]/.test(t);
}
