/**
 * Text typed outside any question (at the menu, after a flow): a greeting, an intent the application
 * answers itself (thanks, an enquiry, praise, 转人工, a follow-up), a note for an open ticket, or a new
 * report started from the assistant's reading — and the menu when it is none of those. Apart from the
 * forms' answers because here nothing is being asked, so the message itself decides where it goes.
 */
import { encodeSuggestedReport } from '../protocol/prompt-data.js';
import { reportStart } from '../understand/understanding.js';
import { cleanText } from './answers.js';
import { reprompt, showMenu, welcomeWithMenu } from './asking.js';
import type { FrontDoorIntent } from './contract.js';
import { startSuggested } from './suggestions.js';
import { addNote, pickTicket, routeNote } from './tickets.js';
import type { Turn } from './turn.js';
import { isGreeting } from './words.js';

const FRONT_DOOR: readonly string[] = ['enquiry', 'notice', 'praise', 'human', 'followup'] satisfies FrontDoorIntent[];

/** Text typed outside any question: added to the owner's open ticket, or the menu when there is none. */
export function freeText(turn: Turn, raw: string): void {
  const open = turn.openTickets();
  const text = cleanText(raw);
  // 你好 / 在吗 / hello: a greeting is answered with the welcome and the menu, never filed as a note.
  if (isGreeting(text)) return welcomeWithMenu(turn);
  if (text && frontDoor(turn, text)) return;
  const u = turn.usableUnderstanding();
  if (open.length > 0 && text) {
    if ([...text].length > 2000) return reprompt(turn, 'input.too_long', { max: 2000, length: [...text].length });
    // Text that reads as a new problem: ask whether it is about an open ticket or something new.
    if (u && (u.askCategory || (u.category !== 'other' && u.confidence >= 0.5))) {
      return pickTicket(turn, { text }, encodeSuggestedReport(reportStart(u, text)));
    }
    return routeNote(turn, { text }, open);
  }
  if (u && text && (u.category !== 'other' || u.location || u.askCategory)) {
    const start = reportStart(u, text);
    return startSuggested(turn, start.preset, start.context);
  }
  if (turn.state.seq === 0) welcomeWithMenu(turn);
  else showMenu(turn, turn.t('input.not_understood'));
}

/**
 * Intent first: thanks is thanked and nothing starts; a greeting gets the welcome and the menu; a
 * follow-up with no open ticket is told so; an enquiry, a notice question, praise, 转人工 and a follow-up
 * go to the application (effect `owner.intent`). Never a report form, never a note on a ticket.
 */
function frontDoor(turn: Turn, text: string): boolean {
  const intent = turn.ctx.understanding?.intent;
  if (intent === 'thanks') {
    turn.say('frontdoor.thanks');
    return true;
  }
  if (intent === 'greeting') {
    welcomeWithMenu(turn);
    return true;
  }
  if (intent === 'followup' && turn.openTickets().length === 0) {
    showMenu(turn, turn.t('frontdoor.followup_none'));
    return true;
  }
  // A follow-up about the one open ticket (师傅大概几点能到？) is also put under that ticket, so the accountable
  // person sees the question; the owner gets the ticket's progress as well.
  const open = turn.openTickets();
  const only = open.length === 1 ? open[0] : undefined;
  if (intent === 'followup' && only) addNote(turn, only, { text: [...cleanText(text)].slice(0, 1000).join('') });
  if (!intent || !FRONT_DOOR.includes(intent)) return false;
  turn.effect({ type: 'owner.intent', intent: intent as FrontDoorIntent, text: [...text].slice(0, 1000).join('') });
  return true;
}
