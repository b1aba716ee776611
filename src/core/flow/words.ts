/**
 * The words the engine recognises in a whole message whatever the conversation's state: commands
 * (/cancel, 取消, a menu alias), a bare greeting, a language named at the language question and the one
 * option a few typed words name. Pure tables and readers, apart from the engine so that the application
 * (before a step) and every engine module read a message the same way.
 */

import type { Locale } from '../types.js';
import { fold } from './answers.js';
import type { FlowRegistry } from './registry.js';

export type Command = 'menu' | 'cancel' | 'back' | 'help' | 'lang' | 'mytickets';

/**
 * The slash commands a platform offers owners in its own menu (Telegram's command list, the Service
 * Account's custom menu): the engine's commands plus the menu entries repair, complain, suggest, emergency.
 */
export const OWNER_MENU_COMMANDS = [
  'start',
  'repair',
  'complain',
  'suggest',
  'emergency',
  'mytickets',
  'lang',
  'cancel',
  'help',
] as const;

const COMMAND_WORDS: Record<string, Command> = {
  start: 'menu',
  menu: 'menu',
  菜单: 'menu',
  主菜单: 'menu',
  cancel: 'cancel',
  取消: 'cancel',
  back: 'back',
  返回: 'back',
  上一步: 'back',
  help: 'help',
  帮助: 'help',
  lang: 'lang',
  language: 'lang',
  语言: 'lang',
  mytickets: 'mytickets',
  我的工单: 'mytickets',
};

/** A message that only greets (你好, 您好 在吗, hello …), whatever its punctuation or emoji. */
const GREETING =
  /^(?:(?:你好|您好|你们好|在吗|在不在|有人吗|哈喽|嗨|hi|hello|hey|hallo|早上好|下午好|晚上好|早|good(?:morning|afternoon|evening))[呀啊吖哇呢]?)+$/;

export function isGreeting(text: string): boolean {
  return GREETING.test(fold(text));
}

/** Reads a command from a whole message: `/cancel`, `/start@bot payload`, or a bare word such as 取消. */
export function parseCommand(
  text: string,
  registry: FlowRegistry,
): { command: Command } | { entry: string } | undefined {
  const trimmed = text.trim();
  const slash = trimmed.match(/^\/([a-zA-Z_]+)(?:@\w+)?(?:\s|$)/);
  const word = (slash ? slash[1] : trimmed)?.toLowerCase() ?? '';
  if (!slash && trimmed.length > 12) return undefined;
  const command = COMMAND_WORDS[word];
  if (command) return { command };
  for (const e of registry.menu.entries) {
    if (e.aliases.some((a) => a.toLowerCase() === word || a.toLowerCase() === `/${word}`)) return { entry: e.id };
  }
  return undefined;
}

export const LANGUAGES: { locale: Locale; label: string }[] = [
  { locale: 'zh-CN', label: '中文' },
  { locale: 'en', label: 'English' },
];

/** A language named in words at the language question (folded). */
export const LANGUAGE_WORDS: Record<string, Locale> = {
  中文: 'zh-CN',
  汉语: 'zh-CN',
  普通话: 'zh-CN',
  chinese: 'zh-CN',
  zh: 'zh-CN',
  英文: 'en',
  英语: 'en',
  english: 'en',
  en: 'en',
};

/**
 * The one option a few typed words name (水电 → 水电燃气, 我要报修 → 报修): the words hold the option's
 * label or the label holds the words. None when two options fit or the words are long (a message).
 */
export function optionByWords<T extends { label: string }>(options: T[], folded: string): T | undefined {
  const length = [...folded].length;
  if (length < 2 || length > 8) return undefined;
  const fits = options.filter((o) => {
    const label = fold(o.label);
    return [...label].length >= 2 && (label.includes(folded) || folded.includes(label));
  });
  return fits.length === 1 ? fits[0] : undefined;
}
