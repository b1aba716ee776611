/** The staff desk now lives in app/desk/ (one module per job); this file re-exports it until its importers move. */
export { StaffDesk } from './desk/desk.js';
export { parseJudgement } from './desk/judging.js';
export { summaryPeriod } from './desk/reports.js';
export type { DeskResult, OwnerSide } from './desk/support.js';
