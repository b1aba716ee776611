/**
 * The Service Account's custom menu from data (flows/wechat-mp/menu.yaml, see its header): read and
 * checked at start-up — one line per mistake, naming the button — and turned into WeChat's menu JSON per
 * language. A click button's key is the command it stands for; the channel hands a click to the
 * application as that command typed (`repair` → `/repair`).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { OWNER_MENU_COMMANDS } from '../../../core/flow/words.js';
import type { Locale } from '../../../core/types.js';
import { parseYaml } from '../../../core/yaml.js';
import type { TranslateFn } from '../../../i18n.js';

/** The commands a menu button may stand for: the ones owners can type (the engine's words and menu aliases). */
export const MENU_COMMANDS = OWNER_MENU_COMMANDS;

/** WeChat's limits on a menu (自定义菜单): buttons per level and bytes per name. */
const LIMITS = { top: 3, sub: 5, topBytes: 16, subBytes: 60 } as const;

const leaf = z.object({
  label: z.string().min(1),
  command: z.enum(MENU_COMMANDS).optional(),
  url: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'not an http(s) address')
    .max(1000)
    .optional(),
});
const top = leaf.extend({ buttons: z.array(leaf).min(1).max(LIMITS.sub).optional() });
const fileSchema = z.object({ buttons: z.array(top).min(1).max(LIMITS.top) });

/** A menu as the file gives it. */
export type MenuSpec = z.output<typeof fileSchema>;

/** A menu file that cannot be used, with every problem found (one line each). */
export class MenuFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'MenuFileError';
  }
}

/** One button of WeChat's menu JSON. */
type WxButton =
  | { type: 'click'; name: string; key: string }
  | { type: 'view'; name: string; url: string }
  | { name: string; sub_button: WxButton[] };

/**
 * Reads and checks a menu file: its shape, each button a command or a url (a top one may instead hold
 * buttons), every label a text key in both languages, and every name within WeChat's byte limit.
 */
export function loadMenu(
  file: string,
  texts: { has: (key: string) => boolean; translate: TranslateFn; locales: readonly Locale[] },
): MenuSpec {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MenuFileError(file, [error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new MenuFileError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`),
    );
  }
  const problems: string[] = [];
  const check = (button: z.output<typeof top>, at: string, maxBytes: number, isTop: boolean) => {
    const actions = [button.command, button.url, button.buttons].filter((a) => a !== undefined).length;
    if (actions !== 1) problems.push(`${at}: give exactly one of command, url${isTop ? ' or buttons' : ''}`);
    if (!texts.has(button.label)) {
      problems.push(`${at}: label ${button.label} is not a text key in every language`);
      return;
    }
    for (const locale of texts.locales) {
      const name = texts.translate(locale, button.label);
      const bytes = Buffer.byteLength(name, 'utf8');
      if (bytes > maxBytes) problems.push(`${at}: "${name}" (${locale}) is ${bytes} bytes; WeChat allows ${maxBytes}`);
    }
  };
  parsed.data.buttons.forEach((button, i) => {
    const at = `buttons.${i}`;
    check(button, at, LIMITS.topBytes, true);
    button.buttons?.forEach((sub, j) => {
      check(sub, `${at}.buttons.${j}`, LIMITS.subBytes, false);
    });
  });
  if (problems.length > 0) throw new MenuFileError(file, problems);
  return parsed.data;
}

/** WeChat's menu JSON for one language. */
export function menuJson(spec: MenuSpec, locale: Locale, translate: TranslateFn): { button: WxButton[] } {
  const one = (b: z.output<typeof leaf>): WxButton => {
    const name = translate(locale, b.label);
    return b.url !== undefined ? { type: 'view', name, url: b.url } : { type: 'click', name, key: b.command ?? '' };
  };
  return {
    button: spec.buttons.map((b) =>
      b.buttons ? { name: translate(locale, b.label), sub_button: b.buttons.map(one) } : one(b),
    ),
  };
}

/**
 * WeChat client languages (the conditional menu's `language` rule) per locale: the default menu is in
 * the default locale, and a conditional menu in each other one is shown to followers whose WeChat speaks it.
 */
export const MENU_LANGUAGE: Record<Locale, string> = { 'zh-CN': 'zh_CN', en: 'en' };
