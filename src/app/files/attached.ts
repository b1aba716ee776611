/**
 * The outbox side of generated files: which stored files an outbox action names, reading their bytes
 * for a delivery, and letting them go once it is sent. The dispatcher calls these; the files were saved
 * with the item (files/outbox.ts), so an item taken over after a crash still finds them.
 */
import type { StoredFile, StoreTx } from '../../core/ports.js';
import type { OutboundAction } from '../../core/types.js';

/** The ids of the files a send names (edits carry none). */
export function attachedFileIds(action: OutboundAction): string[] {
  if (action.kind !== 'send') return [];
  return (action.message.attachments ?? []).map((a) => a.fileId);
}

/** The bytes of the files an action names, by id; undefined when it names none. */
export async function readAttached(
  store: Pick<StoreTx, 'getFiles'>,
  action: OutboundAction,
): Promise<ReadonlyMap<string, StoredFile> | undefined> {
  const ids = attachedFileIds(action);
  if (ids.length === 0) return undefined;
  return new Map((await store.getFiles(ids)).map((file) => [file.id, file]));
}

/** Deletes the files of a sent action (what a crash leaves behind, retention removes). */
export async function releaseAttached(store: Pick<StoreTx, 'deleteFiles'>, action: OutboundAction): Promise<void> {
  const ids = attachedFileIds(action);
  if (ids.length > 0) await store.deleteFiles(ids);
}
