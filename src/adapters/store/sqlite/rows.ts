/**
 * What every SQLite aggregate module uses: instants (ISO strings in documents, UTC milliseconds in
 * columns), JSON documents, SQLite failures as StoreErrors, and statements prepared once per connection.
 */
import type Database from 'better-sqlite3';
import SqliteDatabase from 'better-sqlite3';
import { StoreError } from '../../../core/ports.js';

export function iso(date: Date): string {
  return date.toISOString();
}

export function ms(date: Date): number {
  return date.getTime();
}

export function reviveDate(value: string | number, field: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new StoreError('STORE_CORRUPT', `invalid instant in ${field}`);
  return date;
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StoreError('STORE_CORRUPT', `${what} is not valid JSON`, { cause: error });
  }
}

/** A JSON document of `value` with the named Date fields as ISO strings (absent ones left out). */
export function withIsoDates(value: object, fields: readonly string[]): Record<string, unknown> {
  const doc: Record<string, unknown> = { ...value };
  for (const f of fields) {
    const v = doc[f];
    if (v instanceof Date) doc[f] = iso(v);
    else if (v === undefined) delete doc[f];
  }
  return doc;
}

/** The inverse of {@link withIsoDates}. */
export function withDates<T>(text: string, what: string, fields: readonly string[]): T {
  const doc = parseJson<Record<string, unknown>>(text, what);
  for (const f of fields) {
    const v = doc[f];
    if (v !== undefined) doc[f] = reviveDate(v as string, `${what}.${f}`);
  }
  return doc as T;
}

/** `?, ?, ?` for `n` values. */
export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/**
 * Statements whose text depends on a call's filter (which columns, how many values in an IN list):
 * each distinct text is prepared once per connection and reused, never prepared per call.
 */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement<unknown[], unknown>>();

  constructor(private readonly db: Database.Database) {}

  get<R>(sql: string): Database.Statement<unknown[], R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare<unknown[], unknown>(sql);
      this.statements.set(sql, statement);
    }
    return statement as Database.Statement<unknown[], R>;
  }

  /** A one-column statement (`.pluck()`), cached apart from the full-row form of the same text. */
  pluck<R>(sql: string): Database.Statement<unknown[], R> {
    const key = `pluck:${sql}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare<unknown[], unknown>(sql).pluck();
      this.statements.set(key, statement);
    }
    return statement as Database.Statement<unknown[], R>;
  }
}

/** Maps a SQLite failure to a StoreError; undefined for anything else (the caller rethrows it as it is). */
export function toStoreError(error: unknown, what: string): StoreError | undefined {
  if (error instanceof StoreError) return error;
  if (!(error instanceof SqliteDatabase.SqliteError)) return undefined;
  const code = error.code;
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new StoreError('STORE_CONFLICT', `${what}: ${code}`, { cause: error });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('STORE_CORRUPT', `${what}: ${code}`, { cause: error });
  }
  return new StoreError('STORE_UNAVAILABLE', `${what}: ${code}`, { cause: error });
}
