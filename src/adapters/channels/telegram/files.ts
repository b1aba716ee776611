/**
 * Generated files through the Bot API (issue 19): a message's images as one album (sendMediaGroup, up to
 * ten a call; sendPhoto for one) before its text, its documents (sendDocument) after it. The bytes are
 * uploaded as multipart/form-data (telegraf builds the `attach://` parts from `{ source, filename }`).
 * A 429, a 403, a server error or no answer stops the delivery (the dispatcher tries the whole message
 * again: a file is worth more than the risk of an album shown twice); a refusal of one file (400: too
 * big, a bad image) lets the rest go, the file named in the text.
 */
import type { Delivery } from '../../../core/ports/channels.js';
import type { OutboundAttachment } from '../../../core/types.js';
import { bufferOf, type ReadyFile } from '../shared/attachments.js';
import type { ChannelContext } from './context.js';
import { classifyError, MAX_MEDIA_GROUP, reasonOf } from './outbound.js';

/** What sending a message's files did: a failure that stops the delivery, or the files refused. */
export interface FilesOutcome {
  stop?: Delivery;
  refused: OutboundAttachment[];
  /** Messages the files took (charged to the limiter). */
  sent: number;
}

/** Sends images as albums of up to ten. */
export async function sendImages(
  ctx: ChannelContext,
  chatId: string,
  images: readonly ReadyFile[],
): Promise<FilesOutcome> {
  const outcome: FilesOutcome = { refused: [], sent: 0 };
  for (let i = 0; i < images.length; i += MAX_MEDIA_GROUP) {
    const chunk = images.slice(i, i + MAX_MEDIA_GROUP);
    try {
      const [only] = chunk;
      if (chunk.length === 1 && only)
        await ctx.call('sendPhoto', {
          chat_id: chatId,
          photo: { source: bufferOf(only.file), filename: only.attachment.name },
          ...(only.attachment.caption ? { caption: only.attachment.caption } : {}),
        });
      else
        await ctx.call('sendMediaGroup', {
          chat_id: chatId,
          media: chunk.map(({ attachment, file }) => ({
            type: 'photo' as const,
            media: { source: bufferOf(file), filename: attachment.name },
            ...(attachment.caption ? { caption: attachment.caption } : {}),
          })),
        });
      outcome.sent += chunk.length;
    } catch (error) {
      if (!refusedOnly(ctx, error, outcome, chunk)) return outcome;
    }
  }
  return outcome;
}

/** Sends documents one by one. */
export async function sendDocuments(
  ctx: ChannelContext,
  chatId: string,
  documents: readonly ReadyFile[],
): Promise<FilesOutcome> {
  const outcome: FilesOutcome = { refused: [], sent: 0 };
  for (const doc of documents) {
    try {
      await ctx.call('sendDocument', {
        chat_id: chatId,
        document: { source: bufferOf(doc.file), filename: doc.attachment.name },
        ...(doc.attachment.caption ? { caption: doc.attachment.caption } : {}),
      });
      outcome.sent += 1;
    } catch (error) {
      if (!refusedOnly(ctx, error, outcome, [doc])) return outcome;
    }
  }
  return outcome;
}

/**
 * Judges a failed file call: a refusal of these files alone (400) is noted and the rest go on (true);
 * anything else stops the delivery (false, `outcome.stop` set).
 */
function refusedOnly(ctx: ChannelContext, error: unknown, outcome: FilesOutcome, files: readonly ReadyFile[]): boolean {
  const failure = classifyError(error, [ctx.o.config.token]);
  if (failure.status === 'rejected') {
    ctx.o.log.warn(
      { files: files.length, reason: reasonOf(failure) },
      'Telegram refused generated files; naming them in the text',
    );
    outcome.refused.push(...files.map((f) => f.attachment));
    return true;
  }
  outcome.stop = failure.status === 'sent' ? { status: 'transient', reason: 'unexpected answer to a file' } : failure;
  return false;
}
