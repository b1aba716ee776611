/**
 * The shared revivers every document ↔ domain mapping is written with: reading back JSON-shaped values,
 * instants and required fields, and copying optional fields and instants. A field stored as `null` reads
 * as absent; a missing required field or an unreadable instant is STORE_CORRUPT.
 */

import { StoreError } from '../../../../core/ports.js';

/** What a read hands back: the document (maybe with `_id` and fields written by hand, which are ignored). */
export type Stored<T> = { [K in keyof T]?: T[K] | null };

/** A value as it reads back from JSON (what the SQLite store returns for the same value). */
export function asJson<T>(value: T): T {
  const text = JSON.stringify(value);
  return (text === undefined ? null : JSON.parse(text)) as T;
}

/** An instant as stored, or STORE_CORRUPT naming `field` when it is absent or unreadable. */
export function reviveDate(value: unknown, field: string): Date {
  const date =
    value instanceof Date
      ? new Date(value.getTime())
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value)
        : undefined;
  if (date === undefined || Number.isNaN(date.getTime())) {
    throw new StoreError('STORE_CORRUPT', `invalid instant in ${field}`);
  }
  return date;
}

/** An optional instant as stored: absent (`undefined` or `null`) reads as `undefined`. */
export function optionalDate(value: unknown, field: string): Date | undefined {
  return value === undefined || value === null ? undefined : reviveDate(value, field);
}

/** A required field, or STORE_CORRUPT naming `field`. */
export function need<T>(value: T | null | undefined, field: string): T {
  if (value === undefined || value === null) throw new StoreError('STORE_CORRUPT', `missing ${field}`);
  return value;
}

/** Copies `value` onto `target[key]` unless it is absent (`undefined` or `null`). */
export function put<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | null | undefined): void {
  if (value !== undefined && value !== null) target[key] = value;
}

/** A fresh copy of an instant, so that documents and domain objects never share a Date. */
export function copyDate(date: Date): Date {
  return new Date(date.getTime());
}

/** Copies each of the optional instants `fields` that `source` has onto `doc`, as fresh dates. */
export function copyDates<F extends string>(
  source: { readonly [K in F]?: Date | undefined },
  doc: { [K in F]?: Date },
  fields: readonly F[],
): void {
  for (const field of fields) {
    const value = source[field];
    if (value) doc[field] = copyDate(value);
  }
}

/** Revives each of the optional instants `fields` present on `doc` onto `target`; `label` names them in errors. */
export function reviveDates<F extends string>(
  doc: { readonly [K in F]?: unknown },
  target: { [K in F]?: Date },
  fields: readonly F[],
  label: string,
): void {
  for (const field of fields) put(target, field, optionalDate(doc[field], `${label}.${field}`));
}
