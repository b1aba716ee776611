/**
 * An enquiry's own service level (SLA_ENQUIRY_ANSWER, counted in business time: asked out of hours, it
 * runs from the next opening): when staff must have answered, and the durable jobs that remind the staff
 * room when it is due and name the supervisors at twice that. Answering or closing the enquiry cancels them.
 */
import type { Enquiry } from '../../core/ports/enquiries.js';
import type { Job, StoreTx } from '../../core/ports.js';
import { businessLength } from '../../core/tickets/sla.js';
import { addBusinessTime } from '../../core/time.js';
import type { AppContext } from '../context.js';
import { formatTime } from '../render.js';

/** Job type of an enquiry's checkpoints. */
export const ENQUIRY_DUE_JOB = 'enquiry.due';
/** Percentages of the answering time: the room is reminded at 100, supervisors are named at 200. */
const CHECKPOINTS = [100, 200] as const;

const jobKey = (id: string, percent: number) => `enquiry:${id}:${percent}`;

/** When `percent` of the answering time has passed, counted from `from` in business time. */
export function answerDue(ctx: AppContext, from: Date, percent = 100): Date {
  const { businessHours, enquiryAnswerMs } = ctx.policy;
  const length = (businessLength(enquiryAnswerMs, businessHours) * percent) / 100;
  return addBusinessTime(from, length, businessHours, ctx.settings.timeZone);
}

/** Schedules the checkpoints of an enquiry that is now waiting for staff since `from`. */
export async function scheduleAnswerTimers(ctx: AppContext, tx: StoreTx, enquiry: Enquiry, from: Date): Promise<void> {
  const now = ctx.clock.now();
  for (const percent of CHECKPOINTS) {
    await tx.scheduleJob(
      {
        id: ctx.newId(),
        type: ENQUIRY_DUE_JOB,
        dueAt: answerDue(ctx, from, percent),
        key: jobKey(enquiry.id, percent),
        payload: { id: enquiry.id, percent },
      },
      now,
    );
  }
}

export async function cancelAnswerTimers(ctx: AppContext, tx: StoreTx, id: string): Promise<void> {
  const now = ctx.clock.now();
  for (const percent of CHECKPOINTS) await tx.cancelJobs(jobKey(id, percent), now);
}

/** Supervisors as the room knows them (the configured ids, by their display names). */
async function supervisors(ctx: AppContext, tx: StoreTx): Promise<{ userId: string; name: string }[]> {
  const staff = await tx.listStaff();
  return ctx.policy.supervisors.map((r) => {
    const known = staff.find((s) => s.userId === r.userId && (!r.channel || r.channel === s.channel));
    return { userId: r.userId, name: known?.displayName ?? r.userId };
  });
}

/** Job `enquiry.due`: the room reminded (100%) or the supervisors named (200%), while nobody has answered. */
export async function runAnswerCheck(ctx: AppContext, tx: StoreTx, job: Job): Promise<void> {
  const { id, percent } = job.payload as { id: string; percent: number };
  const enquiry = await tx.getEnquiry(id);
  if (enquiry?.status !== 'waiting') return;
  const now = ctx.clock.now();
  const zone = ctx.settings.timeZone;
  const t = (k: string, p?: Record<string, string | number>) => ctx.t(ctx.staffLocale, k, p);
  const params = {
    ref: enquiry.id,
    text: enquiry.text,
    asked: formatTime(enquiry.askedAt, ctx.staffLocale, zone),
    due: enquiry.dueAt ? formatTime(enquiry.dueAt, ctx.staffLocale, zone) : '',
  };
  if (percent < 200) {
    await ctx.toStaff(tx, { text: t('enquiry_kb.staff.remind', params), replyToRef: `ask:${enquiry.id}` });
    await tx.saveEnquiry({ ...enquiry, remindedAt: now, updatedAt: now });
  } else {
    const mentions = await supervisors(ctx, tx);
    const who = mentions.map((m) => `@${m.name}`).join(' ') || t('desk.sla.no_one_configured');
    await ctx.toStaff(tx, {
      text: t('enquiry_kb.staff.escalate', { ...params, who }),
      replyToRef: `ask:${enquiry.id}`,
      ...(mentions.length ? { mentions } : {}),
    });
    await tx.saveEnquiry({ ...enquiry, escalatedAt: now, updatedAt: now });
  }
  ctx.log.info({ ref: enquiry.id, percent }, 'an unanswered enquiry was brought up in the staff room');
}
