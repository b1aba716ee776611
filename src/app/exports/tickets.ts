/**
 * The archive of a period's tickets (step 8 of domain.md; issue 19) as an XLSX workbook or a CSV file: one
 * row per ticket (rows.ts), read from the store a page at a time through its indexed range query and
 * written as it is read (writers.ts), so a store of a million tickets is exported in the memory of a page.
 *
 * How to call it (the CLI `npm run export -- tickets 2026-11`, and a group command such as `/export 2026-11`):
 *
 *     const r = await exportTickets(ctx, { period: '2026-11', format: 'xlsx', requester: staff.id });
 *     if (r.ok) send r.path (a file under the system's temp folder unless `out` is given) as a document,
 *       named r.fileName, of type EXPORT_MIME[r.format]; r.rows tickets; delete the file once sent.
 *     else r.reason: 'bad_period' (not YYYY-MM or YYYY-Qn) or 'not_allowed' (see below).
 *
 * Personal data (the owner's name, phone and flat, and names, numbers and flats in free text) is masked
 * unless `unmasked` is asked for, which only an active supervisor or manager may ask (else `not_allowed`,
 * and nothing is written). Which members may have the file at all (masked) is the caller's decision: the
 * group command sends it to managers only. Every export is on the audit log before its first byte is
 * written: `export.tickets` when masked, `reveal.export` when not (with the period and format).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ticketsCreatedIn } from '../../core/ports.js';
import type { Owner } from '../../core/types.js';
import { recordAudit } from '../audit/trail.js';
import type { AppContext } from '../context.js';
import { summaryPeriod } from '../desk/reports.js';
import { archiveHeader, archiveRow } from './rows.js';
import { type ExportFormat, type ExportTarget, openSheetWriter } from './writers.js';

export { EXPORT_FORMATS, EXPORT_MIME, type ExportFormat } from './writers.js';

/** What the export uses of the application: the store, the clock, ids, the staff's texts and the time zone. */
export type ExportContext = Pick<AppContext, 'store' | 'clock' | 'newId' | 'settings' | 'staffLocale' | 't'>;

export interface TicketExportRequest {
  /** `2026-11` (a month) or `2026-Q4` (a quarter), in the business time zone. */
  period: string;
  format: ExportFormat;
  /** Who asks: a staff id (`telegram:42`), or `cli:<user>` for a masked export at the terminal. */
  requester: string;
  /** Show personal data as it is (a supervisor or manager only). */
  unmasked?: boolean;
  /** Where it was asked from (`cli`, a channel); by default what the requester's id says. */
  via?: string;
  /** A file path or a stream to write to; a new file under the temp folder by default. */
  out?: ExportTarget;
  /** Tickets read per page (default 500). */
  pageSize?: number;
}

export type TicketExportResult =
  | {
      ok: true;
      /** The file written (absent when a stream was given). */
      path?: string;
      /** A name to give the file when it is sent: `tickets-2026-11.xlsx`. */
      fileName: string;
      format: ExportFormat;
      period: { from: Date; to: Date; label: string };
      rows: number;
      masked: boolean;
    }
  | { ok: false; reason: 'bad_period' | 'not_allowed' };

/** How many owners are remembered while exporting (tickets of one owner often come together). */
const OWNER_CACHE = 256;

/** Writes the archive of a period's tickets; see the module's comment. */
export async function exportTickets(ctx: ExportContext, request: TicketExportRequest): Promise<TicketExportResult> {
  const period = /^\d{4}-(\d{1,2}|[Qq][1-4])$/.test(request.period.trim())
    ? summaryPeriod(request.period.trim(), ctx.clock.now(), ctx.settings.timeZone)
    : undefined;
  if (!period) return { ok: false, reason: 'bad_period' };
  const masked = request.unmasked !== true;

  // Checked and put on the audit log before anything is written: an unmasked file never exists without its entry.
  const allowed = await ctx.store.transaction(async (tx) => {
    const staff = request.requester.startsWith('cli') ? undefined : await tx.getStaff(request.requester);
    if (!masked && !(staff?.active && (staff.role === 'supervisor' || staff.role === 'manager'))) return false;
    await recordAudit(ctx, tx, {
      actorId: request.requester,
      ...(staff ? { actorName: staff.displayName, role: staff.role } : {}),
      ...(request.via ? { via: request.via } : {}),
      action: masked ? 'export.tickets' : 'reveal.export',
      subject: { kind: 'period', id: period.label },
      detail: { format: request.format, masked },
    });
    return true;
  });
  if (!allowed) return { ok: false, reason: 'not_allowed' };

  const fileName = `tickets-${period.label}.${request.format}`;
  let path: string | undefined;
  let target = request.out;
  if (!target) {
    const dir = join(tmpdir(), 'residesk-exports');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    path = join(dir, `${randomUUID()}-${fileName}`);
    target = { path };
  } else if ('path' in target) path = target.path;

  const t = (key: string, params?: Record<string, string | number>) => ctx.t(ctx.staffLocale, key, params);
  const style = { t, timeZone: ctx.settings.timeZone, masked };
  const writer = await openSheetWriter(request.format, target, t('archive.sheet', { period: period.label }));
  const owners = new Map<string, Owner | undefined>();
  let rows = 0;
  try {
    await writer.add(archiveHeader(style));
    for await (const ticket of ticketsCreatedIn(ctx.store, period, request.pageSize ?? 500)) {
      let owner = owners.get(ticket.ownerId);
      if (!owners.has(ticket.ownerId)) {
        owner = await ctx.store.getOwner(ticket.ownerId);
        if (owners.size >= OWNER_CACHE) owners.delete(owners.keys().next().value as string);
        owners.set(ticket.ownerId, owner);
      }
      await writer.add(archiveRow(ticket, owner, style));
      rows += 1;
    }
    await writer.finish();
  } catch (error) {
    writer.abort(error instanceof Error ? error : new Error(String(error)));
    if (path && !request.out) await rm(path, { force: true });
    throw error;
  }
  return { ok: true, ...(path ? { path } : {}), fileName, format: request.format, period, rows, masked };
}
