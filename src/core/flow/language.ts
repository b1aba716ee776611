/**
 * The owner's language: read from the first message of a conversation (Latin script → English, Chinese →
 * Chinese, a mixed one asked once, in both), chosen at the language question, and a message typed at that
 * question kept and handled once they have chosen. Apart from the rest because it changes the language
 * the rest of the step answers in.
 */
import type { Locale } from '../types.js';
import { cleanText, fold, HARD_TEXT_LIMIT } from './answers.js';
import { reprompt, showLanguages } from './asking.js';
import { closeBuiltInPrompt } from './prompts.js';
import { readScript } from './script.js';
import { askAgainOrMenu } from './transitions.js';
import type { Turn } from './turn.js';
import { LANGUAGE_WORDS, LANGUAGES } from './words.js';

/**
 * On a conversation's first message: a message mostly in Latin script is answered in English, one
 * mostly in Chinese in Chinese (the owner's language is updated); true when it is mixed, so the owner is
 * asked once. An explicit choice (/lang) is never overridden.
 */
export function languageOfFirstMessage(turn: Turn, raw: string): boolean {
  if (turn.state.seq !== 0 || turn.state.locale || turn.flow || turn.state.prompt) return false;
  const script = readScript(raw);
  if (script === 'mixed') return true;
  const locale: Locale | undefined = script === 'latin' ? 'en' : script === 'han' ? 'zh-CN' : undefined;
  if (locale && locale !== turn.locale) {
    turn.locale = locale;
    turn.effect({ type: 'owner.update', patch: { locale } });
  }
  return false;
}

/** Asks which language, in both; the message waits and is handled once the owner has chosen. */
export function askLanguage(turn: Turn, raw: string): void {
  turn.state.promptData = [[...cleanText(raw)].slice(0, HARD_TEXT_LIMIT).join('')];
  showLanguages(turn, true);
}

/** Text at the language question: a language named in words, else a message kept for after the choice. */
export function keepAtLanguage(turn: Turn, raw: string): void {
  const named = LANGUAGE_WORDS[fold(raw)];
  const language = named ? LANGUAGES.find((l) => l.locale === named) : undefined;
  if (language) {
    closeBuiltInPrompt(turn, language.label);
    return languageChosen(turn, `l.${language.locale}`);
  }
  const kept = [...(turn.state.promptData ?? []), cleanText(raw)].filter(Boolean).join('\n');
  turn.state.promptData = [[...kept].slice(0, HARD_TEXT_LIMIT).join('')];
  reprompt(turn, 'lang.kept');
}

/** A language chosen (`l.<locale>`): said in it, then what the owner wrote at the question is handled. */
export function languageChosen(turn: Turn, value: string): void {
  const kept = turn.state.promptData?.[0];
  turn.state.prompt = undefined;
  turn.state.promptData = undefined;
  const locale = value.slice(2) as Locale;
  turn.locale = locale;
  turn.state.locale = locale;
  turn.effect({ type: 'owner.update', patch: { locale } });
  turn.say('lang.set');
  // What the owner wrote at the language question is handled now, in the language chosen.
  if (kept) return turn.reread(kept);
  return askAgainOrMenu(turn);
}
