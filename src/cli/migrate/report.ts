/**
 * Verification and the report: both sides counted after the copy, a collection whose counts differ named
 * as a mismatch, and the table printed at the end (one collection a line, then the verdict). Apart from
 * the copy, because the counts are read independently of what the copy believes it wrote.
 */
import {
  COLLECTION_NAMES,
  COLLECTIONS,
  type Counts,
  type MigrationReport,
  type MigrationRow,
  type SourceReader,
  type TargetAdmin,
} from './contract.js';

/** Counts both sides, one row per collection with what was written (or would be). */
export async function countBothSides(
  reader: SourceReader,
  admin: TargetAdmin,
  written: Counts,
): Promise<MigrationRow[]> {
  const [sourceCounts, targetCounts] = [await reader.counts(), await admin.counts()];
  return COLLECTIONS.map((collection) => ({
    collection,
    source: sourceCounts[collection],
    target: targetCounts[collection],
    written: written[collection],
  }));
}

/** The collections whose counts differ on the two sides, as a problem; none when every count matches. */
export function countMismatch(rows: MigrationRow[]): string | undefined {
  const differing = rows.filter((row) => row.source !== row.target);
  if (differing.length === 0) return undefined;
  return `counts differ for ${differing.map((row) => COLLECTION_NAMES[row.collection]).join(', ')}`;
}

/** The report as a table, one collection a line, then the verdict. */
export function formatReport(report: MigrationReport): string {
  const head = ['collection', 'source', 'target', report.dryRun ? 'to write' : 'written'];
  const body = report.rows.map((row) => [
    COLLECTION_NAMES[row.collection],
    String(row.source),
    String(row.target),
    String(row.written),
  ]);
  const widths = head.map((title, i) => Math.max(title.length, ...body.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  const lines = [line(head), ...body.map(line)];
  if (report.dryRun) lines.push('dry run: nothing was written.');
  else if (report.problems.length === 0) lines.push('counts match on both sides.');
  else lines.push(...report.problems.map((problem) => `MISMATCH: ${problem}`));
  return `${lines.join('\n')}\n`;
}
