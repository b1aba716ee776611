/**
 * The commands an owner may type anywhere (/menu, /help, /lang, /mytickets, /cancel, /back and their
 * words) and the main menu's entries (a flow to start, or one of those commands), whether tapped, typed
 * as an alias or named by number. Apart from the flows themselves, so that leaving or resuming a flow from
 * the menu is decided in one place.
 */
import { askAgain, showLanguages, showMenu, welcomeWithMenu } from './asking.js';
import { myTickets } from './tickets.js';
import { abandon, askAgainOrMenu, back, cancel, startFlow } from './transitions.js';
import type { Turn } from './turn.js';
import type { Command } from './words.js';

export function command(turn: Turn, command: Command): void {
  switch (command) {
    case 'menu':
      // First contact on Telegram is always /start: greet then too.
      return turn.state.seq === 0 ? welcomeWithMenu(turn) : showMenu(turn);
    case 'help':
      turn.say('help.text');
      return askAgainOrMenu(turn);
    case 'lang':
      return showLanguages(turn);
    case 'mytickets':
      return myTickets(turn);
    case 'cancel':
      return cancel(turn);
    case 'back':
      return back(turn);
  }
}

/** A button of the menu: back to the flow in progress, or an entry. */
export function menuChosen(turn: Turn, value: string): void {
  turn.state.prompt = undefined;
  if (value === 'resume') return askAgain(turn);
  return menuEntry(turn, value.slice(2));
}

/** The flow a menu entry starts, if it starts one. */
export function menuEntryFlow(turn: Turn, id: string): string | undefined {
  return turn.ctx.registry.menu.entries.find((e) => e.id === id)?.flow;
}

/** A menu entry: its command, or its flow (leaving the one in progress). */
export function menuEntry(turn: Turn, id: string): void {
  const entry = turn.ctx.registry.menu.entries.find((e) => e.id === id);
  if (!entry) return showMenu(turn);
  turn.state.prompt = undefined;
  if (entry.command === 'mytickets') return myTickets(turn);
  if (entry.command === 'lang') return showLanguages(turn);
  if (entry.command === 'help') {
    turn.say('help.text');
    return askAgainOrMenu(turn);
  }
  if (entry.flow) {
    if (turn.flow) abandon(turn);
    startFlow(turn, entry.flow, {}, entry.preset);
  }
}
