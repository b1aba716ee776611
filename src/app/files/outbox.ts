/**
 * Queueing a message with generated files (issue 19): the bytes go to the store's file store in the
 * caller's transaction, beside the outbox item that names them, so a crash between queueing and
 * delivery loses neither. Several images in one message go as one album where the channel has albums
 * (Telegram's media group); each channel sends what it can and names the rest in the text.
 */
import type { StoreTx } from '../../core/ports.js';
import type { Address, OutboundAttachment, OutboundMessage } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { ChartPicture } from './sources.js';

/** A file made for a message: its bytes and how it is shown. */
export interface NewFile {
  kind: OutboundAttachment['kind'];
  name: string;
  mime: string;
  bytes: Uint8Array;
  caption?: string;
}

export const PNG = 'image/png';

/** Charts as files to send: images, their titles as captions. */
export function chartFiles(charts: readonly ChartPicture[]): NewFile[] {
  return charts.map((c) => ({ kind: 'image', name: c.fileName, mime: PNG, bytes: c.png, caption: c.title }));
}

/** Saves `files` in `tx` and returns `message` with them attached (unchanged when there are none). */
export async function withFiles(
  ctx: Pick<AppContext, 'clock' | 'newId'>,
  tx: Pick<StoreTx, 'saveFile'>,
  message: OutboundMessage,
  files: readonly NewFile[],
): Promise<OutboundMessage> {
  const now = ctx.clock.now();
  const attachments: OutboundAttachment[] = [];
  for (const file of files) {
    const id = ctx.newId();
    await tx.saveFile({ id, name: file.name, mime: file.mime, bytes: file.bytes, createdAt: now });
    attachments.push({
      kind: file.kind,
      fileId: id,
      name: file.name,
      ...(file.caption ? { caption: file.caption } : {}),
    });
  }
  return attachments.length > 0 ? { ...message, attachments } : message;
}

/** Saves `files` and queues `message` to `to` with them attached, in `tx`. */
export async function sendWithFiles(
  ctx: AppContext,
  tx: StoreTx,
  to: Address,
  message: OutboundMessage,
  files: readonly NewFile[],
  notBefore?: Date,
): Promise<void> {
  await ctx.sendTo(tx, to, await withFiles(ctx, tx, message, files), notBefore);
}

/** Sends `message` with `files` to every staff room (each room its own copy of the bytes). */
export async function toStaffWithFiles(
  ctx: AppContext,
  tx: StoreTx,
  message: OutboundMessage,
  files: readonly NewFile[],
): Promise<void> {
  for (const room of ctx.staffRooms) await sendWithFiles(ctx, tx, room, message, files);
}
