/**
 * Sheet writers that stream: rows go out as they come, so a quarter of a million tickets needs no more
 * memory than a few rows. XLSX through exceljs's streaming WorkbookWriter (each row committed at once, no
 * shared-strings table: that table would hold every distinct text until the end); CSV through
 * csv-stringify, waiting for the file to drain when it falls behind. The CSV starts with a byte-order
 * mark so that spreadsheet programs read its Chinese as UTF-8.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify } from 'csv-stringify';

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** MIME types, for whoever sends the file on (a document in a chat). */
export const EXPORT_MIME: Record<ExportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv',
};

export interface SheetWriter {
  /** Adds one row; resolves once it may take the next (backpressure). */
  add(row: readonly string[]): Promise<void>;
  /** Finishes the file; resolves once everything is written (and a file is closed). */
  finish(): Promise<void>;
  /** Gives up: the stream is closed where it stands (a partial file is the caller's to delete). */
  abort(error: Error): void;
}

/** Where the file goes: a path (created or replaced) or a writable stream the caller owns. */
export type ExportTarget = { path: string } | { stream: Writable };

/**
 * Opens a streaming writer of `format` with one worksheet named `sheet` (XLSX; CSV has none). exceljs is
 * loaded on the first XLSX export, not when the bot starts (it costs ~0.3 s and tens of MB to load).
 */
export async function openSheetWriter(format: ExportFormat, target: ExportTarget, sheet: string): Promise<SheetWriter> {
  const ExcelJS = format === 'xlsx' ? (await import('exceljs')).default : undefined;
  const stream = 'path' in target ? createWriteStream(target.path) : target.stream;
  return ExcelJS ? xlsxWriter(ExcelJS, stream, sheet) : csvWriter(stream);
}

function xlsxWriter(ExcelJS: typeof import('exceljs'), stream: Writable, sheet: string): SheetWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: false, useStyles: false });
  // Excel's limit is 31 characters and no []:*?/\ in a sheet's name.
  const worksheet = workbook.addWorksheet(sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31));
  let rows = 0;
  return {
    async add(row) {
      worksheet.addRow([...row]).commit();
      // Let the zip stream flush now and then (exceljs has no backpressure of its own).
      if (++rows % 500 === 0 && stream.writableNeedDrain) await once(stream, 'drain');
    },
    async finish() {
      worksheet.commit();
      await workbook.commit();
      if (!stream.writableFinished) await finished(stream);
    },
    abort(error) {
      stream.destroy(error);
    },
  };
}

function csvWriter(stream: Writable): SheetWriter {
  const csv = stringify({ bom: true });
  csv.pipe(stream);
  return {
    async add(row) {
      if (!csv.write([...row])) await once(csv, 'drain');
    },
    async finish() {
      csv.end();
      await finished(stream);
    },
    abort(error) {
      csv.destroy(error);
      stream.destroy(error);
    },
  };
}
