/**
 * What a built-in question keeps in the conversation state while it waits (`promptData`), as small typed
 * codecs: the owner's message waiting for a ticket to go to, and the report a message suggested. Saved
 * state outlives the code that wrote it, so reading never trusts it beyond its shape: anything else
 * reads as nothing (and the question is dropped) instead of throwing or being misread.
 */
import type { AnswerValue, PhotoAnswer } from '../flow/state.js';

/** An owner's message to add to a ticket: their words or a photo. */
export type WaitingNote = { text: string } | { photo: PhotoAnswer };

/** A report the owner's words suggested: answers to preset and the flow's context. */
export interface SuggestedReport {
  preset: Record<string, AnswerValue>;
  context: Record<string, string | number | boolean>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parse(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function encodeWaitingNote(note: WaitingNote): string {
  return JSON.stringify('text' in note ? { text: note.text } : { photo: note.photo });
}

export function decodeWaitingNote(raw: string | undefined): WaitingNote | undefined {
  const v = parse(raw);
  if (!isObject(v)) return undefined;
  if (typeof v.text === 'string' && v.photo === undefined) return { text: v.text };
  const photo = v.photo;
  if (v.text === undefined && isObject(photo) && typeof photo.ref === 'string') {
    if (photo.caption !== undefined && typeof photo.caption !== 'string') return undefined;
    return { photo: { ref: photo.ref, ...(typeof photo.caption === 'string' ? { caption: photo.caption } : {}) } };
  }
  return undefined;
}

export function encodeSuggestedReport(report: SuggestedReport): string {
  return JSON.stringify({ preset: report.preset, context: report.context });
}

export function decodeSuggestedReport(raw: string | undefined): SuggestedReport | undefined {
  const v = parse(raw);
  if (!isObject(v) || !isObject(v.preset) || !isObject(v.context)) return undefined;
  const scalar = (x: unknown) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean';
  if (!Object.values(v.context).every(scalar)) return undefined;
  // Preset answers are checked again by the flow when it takes them; here only that they are answer-like.
  if (!Object.values(v.preset).every((x) => scalar(x) || Array.isArray(x) || isObject(x))) return undefined;
  return {
    preset: v.preset as Record<string, AnswerValue>,
    context: v.context as Record<string, string | number | boolean>,
  };
}
