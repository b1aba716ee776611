/**
 * The file store: the bytes of files the bot made and queued for sending (a review report's charts, a
 * ticket workbook). A file is saved in the same transaction as the outbox item that names it
 * (OutboundMessage.attachments), so a crash between queueing and delivery loses neither; the dispatcher
 * deletes a message's files once it is sent, and retention removes what a crash or a dead letter left.
 */

/** One stored file. */
export interface StoredFile {
  id: string;
  /** The name people see (`汇总-2026-11-1.png`). */
  name: string;
  /** Its media type (`image/png`, `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`). */
  mime: string;
  bytes: Uint8Array;
  createdAt: Date;
}

/** Files waiting to be sent. */
export interface FileStore {
  /** Saves a file (a second save of the same id changes nothing). */
  saveFile(file: StoredFile): Promise<void>;
  /** The files of these ids that are still stored (in no particular order). */
  getFiles(ids: readonly string[]): Promise<StoredFile[]>;
  /** Deletes these files; returns how many there were. */
  deleteFiles(ids: readonly string[]): Promise<number>;
  /**
   * Retention: deletes up to `limit` files saved before `before` that no pending or sending outbox item
   * names (a sent message whose files were not deleted, a dead letter's); returns how many.
   */
  pruneFiles(before: Date, limit: number): Promise<number>;
}
