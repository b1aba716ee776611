/**
 * The ticket workbook `/export` sends, made by the export use case (app/exports/tickets.ts) into memory:
 * masked (the group command never asks for personal data in full), on the audit log as that use case
 * writes it, for the staff member who asked.
 */
import { Writable } from 'node:stream';
import type { AppContext } from '../context.js';
import { EXPORT_MIME, exportTickets } from '../exports/tickets.js';
import type { FileSources } from './sources.js';

/** `/export`'s workbook from the export use case; throws when it refuses (the desk answers "failed"). */
export function exportedWorkbook(ctx: AppContext): NonNullable<FileSources['ticketWorkbook']> {
  return async (period, requestedBy) => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
    const result = await exportTickets(ctx, {
      period: period.label,
      format: 'xlsx',
      requester: requestedBy.id,
      via: requestedBy.channel,
      out: { stream },
    });
    if (!result.ok) throw new Error(`the ticket export was refused: ${result.reason}`);
    return {
      fileName: result.fileName,
      bytes: new Uint8Array(Buffer.concat(chunks)),
      mime: EXPORT_MIME.xlsx,
      tickets: result.rows,
    };
  };
}
