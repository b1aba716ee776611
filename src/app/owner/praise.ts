/**
 * Praise (表扬): the owner is thanked, the praise recorded against the staff member or team it names and
 * shown to the staff room, and counted in /summary. No ticket, no revisit.
 */
import type { PraiseTeam, StoreTx } from '../../core/ports.js';
import type { Address, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';

/** Words naming a team, first match wins (folded: lower case). */
const TEAM_WORDS: readonly [PraiseTeam, RegExp][] = [
  ['cleaning', /保洁|清洁|打扫|阿姨|cleaner|cleaning|janitor/],
  ['security', /保安|安保|门卫|门岗|巡逻|秩序|guard|security|concierge/],
  ['greening', /绿化|园丁|园林|花草|gardener|garden|landscap/],
  ['engineering', /师傅|维修|工程|电工|水电|管道|修理|repair|plumber|electrician|maintenance|technician|engineer/],
  ['service', /客服|管家|前台|服务中心|接待|receptionist|front desk|customer service|service cent/],
];

/** The building a text names (3栋, 3号楼, building 3), as written for staff. */
const BUILDING = /(\d{1,3})\s*(?:栋|号楼|幢|座|棟)|building\s*(\d{1,3})|block\s*(\d{1,3})/i;

/** The team the words praise, `all` when they name none. */
export function praiseTeamOf(text: string): PraiseTeam {
  const folded = text.toLowerCase();
  return TEAM_WORDS.find(([, re]) => re.test(folded))?.[0] ?? 'all';
}

/** The place the words name, e.g. `3栋` (undefined when none). */
export function praisePlaceOf(text: string): string | undefined {
  const m = text.match(BUILDING);
  const n = m?.[1] ?? m?.[2] ?? m?.[3];
  return n ? n : undefined;
}

/** Records praise, shows it to the staff room and thanks the owner, in the message's transaction. */
export async function recordPraise(
  ctx: AppContext,
  tx: StoreTx,
  owner: Owner,
  address: Address,
  text: string,
  now: Date,
): Promise<void> {
  const team = praiseTeamOf(text);
  const building = praisePlaceOf(text);
  // A staff member named in the words (by the name the staff room knows them by).
  const folded = text.toLowerCase();
  const named = (await tx.listStaff()).find(
    (s) => s.active && [...s.displayName].length >= 2 && folded.includes(s.displayName.toLowerCase()),
  );
  const staffT = (k: string, p?: Record<string, string | number>) => ctx.t(ctx.staffLocale, k, p);
  const place = building ? staffT('desk.frontdoor.building', { building }) : undefined;
  await tx.addPraise({
    id: ctx.newId(),
    ownerId: owner.id,
    channel: address.channel,
    text,
    team,
    ...(named ? { staff: { id: named.id, name: named.displayName } } : {}),
    ...(place ? { place } : {}),
    at: now,
  });
  const join = (locale: string) => (locale === 'zh-CN' ? '' : ' ');
  const target = [place, named?.displayName ?? staffT(`praise.team.${team}`)]
    .filter(Boolean)
    .join(join(ctx.staffLocale));
  await ctx.toStaff(tx, {
    text: staffT('desk.frontdoor.praise', { who: owner.name ?? staffT('common.none'), target, text }),
  });
  const ownerTarget = [
    building ? ctx.t(owner.locale, 'desk.frontdoor.building', { building }) : undefined,
    named?.displayName ?? ctx.t(owner.locale, `praise.team.${team}`),
  ]
    .filter(Boolean)
    .join(join(owner.locale));
  await ctx.sendTo(tx, address, { text: ctx.t(owner.locale, 'frontdoor.praise_thanks', { target: ownerTarget }) });
  ctx.log.info({ ownerId: owner.id, team }, 'praise recorded');
}
