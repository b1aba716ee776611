/**
 * What the assistant reads from an owner's free text, as the conversation engine receives it, and how it
 * becomes suggestions in the complaint flow. Pure: the engine may use it; the AI call itself happens in
 * the application before the engine step.
 */
import type { AnswerValue } from '../flow/state.js';
import type { Category, EstateLocation, TicketKind, Urgency } from '../types.js';
import type { Intent } from './labels.js';

/** Suggestions for the read-back, never a filing. */
export interface Understanding {
  kind: TicketKind;
  category: Category;
  urgency: Urgency;
  location?: EstateLocation;
  /** One line, no line breaks: at most 40 characters offline, 80 from the model. */
  summary: string;
  /** Take the emergency path at once: the emergency rules' present verdict alone sets it. */
  emergency: boolean;
  /** A model read an emergency the rules did not: the owner is asked (unclear), never sent down the path. */
  emergencyUnclear?: boolean;
  /** 0–1; the offline classifier's own measure, or a fixed value for a checked model answer. */
  confidence: number;
  source: 'model' | 'offline';
  /** What the text is for (see intent.ts); absent where only a report was read. */
  intent?: Intent;
  /** A report whose category is unsure: offer category buttons rather than guess. */
  askCategory?: boolean;
  /** With askCategory: the likeliest categories, best first (the buttons to offer, with 其他). */
  categories?: Category[];
}

/** The longest description the complaint flow's description step takes. */
export const DESCRIPTION_MAX = 1000;

/**
 * The answers an understanding fills in the complaint flow (step ids `kind`, `category`, `location`,
 * `description`): passed as a flow preset, they are skipped and shown at the read-back, where the owner
 * confirms or edits each one. The owner's own words are the description.
 */
export function suggestionPreset(u: Understanding, ownerText: string): Record<string, AnswerValue> {
  const description = [...ownerText.trim()].slice(0, DESCRIPTION_MAX).join('');
  return {
    kind: u.kind,
    category: u.category,
    ...(u.location ? { location: u.location } : {}),
    ...(description ? { description } : {}),
  };
}

/** What travels in the flow's context with the suggestions: the urgency (no step asks it) and where they came from. */
export function suggestionContext(u: Understanding): Record<string, string | number | boolean> {
  return { urgency: u.urgency, summary: u.summary, suggested: true, suggestedBy: u.source, confidence: u.confidence };
}

/**
 * The preset and context a report starts with: the suggestions, except that an unsure category is not
 * filled in but asked, with the likeliest three and 其他 as its only buttons (`only.category`).
 */
export function reportStart(
  u: Understanding,
  ownerText: string,
): { preset: Record<string, AnswerValue>; context: Record<string, string | number | boolean> } {
  const preset = suggestionPreset(u, ownerText);
  const context = suggestionContext(u);
  if (!u.askCategory) return { preset, context };
  const { category: _unsure, ...rest } = preset;
  const likely = (u.categories ?? [u.category]).filter((c) => c !== 'other').slice(0, 3);
  return { preset: rest, context: { ...context, 'only.category': [...likely, 'other'].join(',') } };
}
