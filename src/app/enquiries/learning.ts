/**
 * A staff answer saved as knowledge, in one step, by a supervisor (📚 存入知识库, `Q012 存入知识库` or
 * `/learn Q012`): a new entry `learned.K001` with the owner's question as its question and the staff
 * answer as its answer, in the owner's language, kept in the store. The index learns it once the message's
 * transaction has committed (see Enquiries.settle), so the same question is answered automatically next
 * time; at start-up every saved entry is added again. Ordinary staff are refused politely.
 */
import type { KnowledgeEntry } from '../../core/knowledge/entry.js';
import type { StoreTx } from '../../core/ports.js';
import type { Inbound, Staff } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { Handled } from '../parts.js';
import { findEnquiry } from './items.js';

/** `Q012 存入知识库` (the words after a typed reference that ask for saving rather than answering). */
export const LEARN_WORDS = /^(?:存入知识库|存知识库|加入知识库|入库|learn|save to knowledge)[。.!！]?$/i;
/** `/learn Q012` (also /learn q12 is read as Q012 when such an enquiry exists: the id is padded). */
export const LEARN_COMMAND = /^\s*\/learn(?:@\w+)?(?:\s+[QqＱｑ]?\s*(\d{1,9}))?\s*$/i;

/**
 * Saves the staff answer of enquiry `ref` as a knowledge entry. `saved` receives the entry, for the index
 * to learn after the commit. A refusal or a reason it cannot be saved is said where the request came from
 * (for a button, only to the presser).
 */
export async function learnFromAnswer(
  ctx: AppContext,
  tx: StoreTx,
  inbound: Inbound,
  staff: Staff,
  ref: string,
  saved: (entry: KnowledgeEntry) => void,
): Promise<Handled> {
  const t = (k: string, p?: Record<string, string | number>) => ctx.t(ctx.staffLocale, k, p);
  const viaButton = inbound.content.type === 'button';
  const answer = async (text: string, alert = false): Promise<Handled> => {
    if (viaButton) return { ack: { text, ...(alert ? { alert: true } : {}) } };
    await ctx.sendTo(tx, inbound, { text });
    return {};
  };
  if (staff.role === 'staff') {
    ctx.log.warn({ staff: staff.id }, 'refused saving to the knowledge from staff who is not a supervisor');
    return answer(t('enquiry_kb.staff.learn_refused'), true);
  }
  const enquiry = await findEnquiry(ctx, tx, ref);
  if (!enquiry) return answer(t('desk.frontdoor.no_item', { ref }), true);
  if (enquiry.kind === 'human') return answer(t('enquiry_kb.staff.learn_human', { ref }), true);
  if (enquiry.savedAs) return answer(t('enquiry_kb.staff.learn_already', { ref, entry: enquiry.savedAs }), true);
  if (enquiry.status !== 'staff' || !enquiry.answer?.trim())
    return answer(t('enquiry_kb.staff.learn_not_answered', { ref }), true);
  const now = ctx.clock.now();
  const id = `learned.K${String(await tx.nextSequence('knowledge.learned')).padStart(3, '0')}`;
  const entry: KnowledgeEntry = {
    id,
    topic: enquiry.topic ?? 'other',
    questions: { [enquiry.locale]: [enquiry.text] },
    answer: { [enquiry.locale]: enquiry.answer.trim() },
    source: `staff:${staff.id}`,
    createdBy: staff.id,
    createdAt: now,
    fromEnquiry: enquiry.id,
  };
  await tx.saveKnowledgeEntry(entry);
  await tx.saveEnquiry({ ...enquiry, savedAs: id, updatedAt: now });
  saved(entry);
  ctx.log.info({ ref, entry: id, staff: staff.id }, 'a staff answer was saved to the knowledge');
  const text = ctx.knowledge
    ? t('enquiry_kb.staff.learned', { entry: id, question: enquiry.text })
    : t('enquiry_kb.staff.learned_no_index', { entry: id });
  // Said in the chat either way: the room sees what the knowledge now answers.
  await ctx.sendTo(tx, inbound, { text });
  return viaButton ? { ack: { text: '' } } : {};
}
