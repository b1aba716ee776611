/**
 * The staff vocabulary: every command staff type in the staff room, declared once for every channel.
 *
 * Each command has its words in Chinese and English (typed bare, `接单 T…`, or with a slash, `/accept T…`),
 * says whether it acts on one ticket and whether it reads text after it. The staff desk reads commands with
 * {@link parseStaffCommand}; channels without buttons print a button as the command to type with
 * {@link commandWord}. No adapter keeps a copy: a word added here is understood everywhere.
 *
 * The table is checked when this module loads ({@link checkVocabulary}): a word that names two commands,
 * or a command missing a language, stops start-up. Pure: no I/O.
 */
import { normaliseTicketNumber } from '../tickets/ticket.js';

/** Every staff command. */
export const STAFF_COMMANDS = [
  'accept',
  'judge',
  'reject',
  'reply',
  'plan',
  'schedule',
  'resolve',
  'handover',
  'phone',
  'timeline',
  'draft',
  'note',
  'revisit',
  'tickets',
  'summary',
  'export',
  'help',
  'cancel',
] as const;
export type StaffCommand = (typeof STAFF_COMMANDS)[number];

export type VocabularyLanguage = 'zh' | 'en';
export const VOCABULARY_LANGUAGES: readonly VocabularyLanguage[] = ['zh', 'en'];

export interface CommandSpec {
  /** The words that name the command, per language; the first is the one printed for a button. */
  words: Readonly<Record<VocabularyLanguage, readonly string[]>>;
  /** Acts on one ticket: its number is typed, or it is the ticket the message quotes. */
  ticket: boolean;
  /** Reads the text after the command (a reply, a reason, a time, a note …). */
  text: boolean;
  /**
   * What it says stays among staff and may begin a quoted message with no space after the word
   * (`备注业主家里有老人`), so that it is never taken for a reply to the owner.
   */
  internal?: boolean;
}

/** The staff commands and their words. */
export const STAFF_VOCABULARY: Readonly<Record<StaffCommand, CommandSpec>> = {
  accept: { words: { zh: ['接单', '受理'], en: ['accept'] }, ticket: true, text: false },
  judge: { words: { zh: ['判定'], en: ['judge'] }, ticket: true, text: true },
  reject: { words: { zh: ['驳回', '不予受理'], en: ['reject'] }, ticket: true, text: true },
  reply: { words: { zh: ['回复'], en: ['reply'] }, ticket: true, text: true },
  plan: { words: { zh: ['方案'], en: ['plan'] }, ticket: true, text: true },
  schedule: { words: { zh: ['约时间', '预约'], en: ['schedule'] }, ticket: true, text: true },
  resolve: { words: { zh: ['办结', '完成'], en: ['resolve'] }, ticket: true, text: true },
  handover: { words: { zh: ['转交'], en: ['handover'] }, ticket: true, text: true },
  phone: { words: { zh: ['电话'], en: ['phone'] }, ticket: true, text: false },
  timeline: { words: { zh: ['记录', '详情'], en: ['timeline', 'ticket'] }, ticket: true, text: false },
  draft: { words: { zh: ['草稿', '建议回复'], en: ['draft'] }, ticket: true, text: false },
  note: { words: { zh: ['备注'], en: ['note'] }, ticket: true, text: true, internal: true },
  revisit: { words: { zh: ['回访'], en: ['revisit'] }, ticket: true, text: true },
  tickets: { words: { zh: ['工单列表'], en: ['tickets'] }, ticket: false, text: false },
  summary: { words: { zh: ['汇总', '总结'], en: ['summary'] }, ticket: false, text: true },
  export: { words: { zh: ['导出'], en: ['export'] }, ticket: false, text: true },
  help: { words: { zh: ['帮助'], en: ['help'] }, ticket: false, text: false },
  cancel: { words: { zh: ['取消'], en: ['cancel'] }, ticket: false, text: false },
};

const HAN = /\p{Script=Han}/u;
const LATIN_WORD = /^[a-z][a-z_]*$/;

/**
 * What is wrong with a vocabulary, one line each (none for a sound one): a word naming two commands, a
 * command without words in a language, a Chinese word without Chinese, an English word a slash command
 * cannot carry, a word with spaces or one that reads as a ticket number.
 */
export function checkVocabulary(vocabulary: Readonly<Record<string, CommandSpec>>): string[] {
  const problems: string[] = [];
  const owner = new Map<string, string>();
  for (const [command, spec] of Object.entries(vocabulary)) {
    for (const language of VOCABULARY_LANGUAGES) {
      const words = spec.words[language] ?? [];
      if (words.length === 0) problems.push(`${command}: no ${language} word`);
      for (const word of words) {
        const key = word.toLowerCase();
        const other = owner.get(key);
        if (other !== undefined && other !== command) problems.push(`"${word}" names both ${other} and ${command}`);
        else if (other === command) problems.push(`"${word}" is listed twice for ${command}`);
        owner.set(key, command);
        if (/\s/.test(word) || word.startsWith('/')) problems.push(`${command}: "${word}" has a space or a slash`);
        if (normaliseTicketNumber(word)) problems.push(`${command}: "${word}" reads as a ticket number`);
        if (language === 'zh' && !HAN.test(word)) problems.push(`${command}: "${word}" is not Chinese`);
        if (language === 'en' && !LATIN_WORD.test(word))
          problems.push(`${command}: "${word}" cannot be a slash command (a–z and _ only)`);
      }
    }
  }
  return problems;
}

{
  const problems = checkVocabulary(STAFF_VOCABULARY);
  if (problems.length > 0) throw new Error(`The staff vocabulary is inconsistent: ${problems.join('; ')}`);
}

const BY_WORD: ReadonlyMap<string, StaffCommand> = new Map(
  STAFF_COMMANDS.flatMap((command) =>
    VOCABULARY_LANGUAGES.flatMap((language) =>
      STAFF_VOCABULARY[command].words[language].map((word) => [word.toLowerCase(), command] as const),
    ),
  ),
);

/** Chinese words of internal commands, longest first: what a quoted message may begin with, unspaced. */
const INTERNAL_PREFIXES: readonly [string, StaffCommand][] = STAFF_COMMANDS.filter(
  (command) => STAFF_VOCABULARY[command].internal,
)
  .flatMap((command) => STAFF_VOCABULARY[command].words.zh.map((word) => [word, command] as [string, StaffCommand]))
  .sort(([a], [b]) => b.length - a.length);

/** The command a word names: bare or with a slash, any case, `/accept@residesk_bot` as Telegram sends it. */
export function staffCommandOf(word: string | undefined): StaffCommand | undefined {
  return BY_WORD.get((word ?? '').replace(/^\//, '').replace(/@\w+$/, '').toLowerCase());
}

/** The word printed for a command in the staff room's language (a WeChat card's `T… 接单`). */
export function commandWord(command: StaffCommand, language: VocabularyLanguage): string {
  return STAFF_VOCABULARY[command].words[language][0] ?? command;
}

export interface ParsedStaffCommand {
  command: StaffCommand;
  /** The ticket it acts on: typed, or the quoted one. */
  number?: string;
  /** The text after the command (and number), as typed. */
  rest: string;
}

/** Punctuation that may follow a command word under a quote: `备注：…`, `reply, …`. */
const AFTER_WORD = /^[\s:：,，、]+/;

/**
 * Reads a staff command: `/accept T…`, `accept T…`, `T… 接单 …`, `接单 T… …`, `/tickets`, `汇总`.
 *
 * `quotedTicket` is the ticket the message quotes or replies to (a card, an owner's note under it). Then a
 * message that begins with a command word is that command on the quoted ticket (`接单`, `备注 …`,
 * `回复 …`); a typed number still wins. Undefined when the text is not a command; under a quote the staff
 * desk then takes it as a reply to the owner.
 */
export function parseStaffCommand(text: string, quotedTicket?: string): ParsedStaffCommand | undefined {
  const original = text.trim();
  const tokens = original.replace(/[－—–]/g, '-').split(/\s+/);
  const first = tokens[0] ?? '';
  // The text after the first `n` words, as typed: line breaks, spacing and dashes in a reply are kept.
  const rest = (n: number) => original.replace(new RegExp(`^(?:\\S+\\s*){${n}}`), '').trimEnd();
  const number = normaliseTicketNumber(first);
  if (number && first.length === number.length) {
    const command = staffCommandOf(tokens[1]);
    return command ? { command, number, rest: rest(2) } : undefined;
  }
  const typedNumber = normaliseTicketNumber(tokens[1] ?? '');
  const command = staffCommandOf(first);
  if (command && typedNumber) return { command, number: typedNumber, rest: rest(2) };
  if (quotedTicket !== undefined) return quotedCommand(original, normaliseTicketNumber(quotedTicket) ?? quotedTicket);
  if (!command) return undefined;
  // A bare word without a number is a command only when it needs no ticket (汇总, 帮助); else it is talk.
  if (!first.startsWith('/') && STAFF_VOCABULARY[command].ticket) return undefined;
  return { command, rest: rest(1) };
}

/** A message under a quote of `number`'s card: a command when it begins with a command word. */
function quotedCommand(text: string, number: string): ParsedStaffCommand | undefined {
  const word = /^\/?[^\s:：,，、]+/.exec(text)?.[0] ?? '';
  let command = staffCommandOf(word);
  let after = text.slice(word.length);
  if (!command) {
    const prefix = INTERNAL_PREFIXES.find(([w]) => text.startsWith(w));
    if (!prefix) return undefined;
    [, command] = prefix;
    after = text.slice(prefix[0].length);
  }
  const rest = after.replace(AFTER_WORD, '').trimEnd();
  return STAFF_VOCABULARY[command].ticket ? { command, number, rest } : { command, rest };
}
