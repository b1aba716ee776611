/**
 * What every channel does first with a message's generated files (OutboundMessage.attachments): pair each
 * with its bytes, split images from documents, and name in the text what cannot go — a file retention
 * removed, or a kind the channel cannot send — so the reader knows something is missing.
 */
import type { FileCapabilities } from '../../../core/ports/channels.js';
import type { StoredFile } from '../../../core/ports.js';
import type { OutboundAttachment, OutboundMessage } from '../../../core/types.js';

/** A channel that sends no generated files (each is named in the text). */
export const NO_FILES: FileCapabilities = Object.freeze({ images: false, documents: false, album: false });

/** An attachment with its bytes. */
export interface ReadyFile {
  attachment: OutboundAttachment;
  file: StoredFile;
}

export interface SortedAttachments {
  images: ReadyFile[];
  documents: ReadyFile[];
  /** Attachments that cannot go here (no bytes any more, or a kind the channel does not send). */
  left: OutboundAttachment[];
}

/** Sorts a message's attachments by what the channel can do with them. */
export function sortAttachments(
  message: OutboundMessage,
  files: ReadonlyMap<string, StoredFile> | undefined,
  can: FileCapabilities,
): SortedAttachments {
  const sorted: SortedAttachments = { images: [], documents: [], left: [] };
  for (const attachment of message.attachments ?? []) {
    const file = files?.get(attachment.fileId);
    const allowed = attachment.kind === 'image' ? can.images : can.documents;
    if (!file || !allowed) sorted.left.push(attachment);
    else (attachment.kind === 'image' ? sorted.images : sorted.documents).push({ attachment, file });
  }
  return sorted;
}

/** The text with a line per file that could not be sent (`📎 汇总-2026-11.xlsx`). */
export function withFileNames(text: string, left: readonly OutboundAttachment[]): string {
  if (left.length === 0) return text;
  return [text, ...left.map((a) => `📎 ${a.name}`)].join('\n');
}

/** A Node Buffer over a file's bytes (no copy), for the platform libraries that want one. */
export function bufferOf(file: StoredFile): Buffer {
  return Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength);
}
