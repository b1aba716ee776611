/**
 * The owner's tickets inside a conversation: "my tickets" with each one's next step and a cancel button
 * on those nobody has taken on yet, the "cancel it?" question, and a message or photo sent outside a form
 * put under an open ticket (asking which one when there are several). The answers to those built-in
 * questions are claims checked here against the owner's own tickets (button data is never trusted).
 */
import { decodeSuggestedReport, decodeWaitingNote, encodeWaitingNote } from '../protocol/prompt-data.js';
import { askAgain, showMenu } from './asking.js';
import type { TicketSummary } from './contract.js';
import { confirmCancelPrompt, myTicketsPrompt, pickTicketPrompt } from './prompts.js';
import type { PhotoAnswer } from './state.js';
import { startSuggested } from './suggestions.js';
import { menuOrQueued, startQueued } from './transitions.js';
import type { Turn } from './turn.js';

type Note = { text: string } | { photo: PhotoAnswer };

/** The owner's tickets with their next step; tickets nobody has taken on yet can be cancelled. */
export function myTickets(turn: Turn): void {
  if (turn.flow && !turn.state.prompt) {
    turn.send({ text: myTicketsPrompt(turn).text });
    return askAgain(turn);
  }
  turn.state.prompt = 'mytickets';
  turn.state.seq += 1;
  turn.emitPrompt(myTicketsPrompt(turn));
}

/** A button of "my tickets": back to the menu, or a ticket to cancel (asked once more). */
export function myTicketsChosen(turn: Turn, value: string): void {
  turn.state.prompt = undefined;
  if (value === 'menu') return showMenu(turn);
  turn.state.prompt = 'confirm_cancel';
  turn.state.promptData = [value.slice(2)];
  turn.state.seq += 1;
  return turn.emitPrompt(confirmCancelPrompt(turn));
}

/** The answer to "cancel it?": yes names `ticket.cancel` (the application checks the ticket may be). */
export function cancelConfirmed(turn: Turn, value: string): void {
  const id = turn.state.promptData?.[0];
  turn.state.prompt = undefined;
  turn.state.promptData = undefined;
  if (value === 'y' && id) {
    turn.effect({ type: 'ticket.cancel', ticketId: id });
    startQueued(turn);
    return;
  }
  return menuOrQueued(turn);
}

/** Puts a note under the one open ticket, or asks which ticket it is about. */
export function routeNote(turn: Turn, note: Note, open: TicketSummary[]): void {
  const only = open.length === 1 ? open[0] : undefined;
  if (only) return addNote(turn, only, note);
  pickTicket(turn, note);
}

/** Asks which open ticket a message is about (and, with a suggestion, offers "a new problem"). */
export function pickTicket(turn: Turn, note: Note, suggestion?: string): void {
  turn.state.prompt = 'pick_ticket';
  turn.state.promptData = suggestion ? [encodeWaitingNote(note), suggestion] : [encodeWaitingNote(note)];
  turn.state.seq += 1;
  turn.emitPrompt(pickTicketPrompt(turn));
}

/** The answer to "which ticket?": the note goes under it, or a new report starts from the suggestion. */
export function ticketPicked(turn: Turn, value: string): void {
  const note = decodeWaitingNote(turn.state.promptData?.[0]);
  const suggestion = decodeSuggestedReport(turn.state.promptData?.[1]);
  turn.state.prompt = undefined;
  turn.state.promptData = undefined;
  if (value === 'new' && suggestion) {
    return startSuggested(turn, suggestion.preset, suggestion.context);
  }
  const ticket = turn.openTickets().find((t) => `t.${t.id}` === value);
  if (!ticket || !note) return menuOrQueued(turn);
  addNote(turn, ticket, note);
  startQueued(turn);
}

export function addNote(turn: Turn, ticket: TicketSummary, note: Note): void {
  turn.state.prompt = undefined;
  turn.effect({ type: 'ticket.note', ticketId: ticket.id, note });
  turn.say('owner.note_added', { number: ticket.number });
}
