/**
 * Reaching owners for a running campaign, through the outbox in batches within each platform's limits and
 * never in quiet hours: invitations (job `survey.invite`, one batch per run, the next one scheduled until
 * everyone is invited), reminders to those who have not answered (job `survey.remind`, `round` 1 or 2),
 * and the withdrawal of a closed campaign's questionnaire from owners' chats (job `survey.withdraw` when it
 * closed in quiet hours). Each runs in the scheduler's transaction: an invitation row and its messages
 * commit together, so a restart mid-invitation never invites anyone twice.
 */
import type { FlowContext } from '../../core/flow/engine.js';
import type { Job, StoreTx, SurveyCampaign } from '../../core/ports.js';
import { buildingFor, campaignAllows, campaignOpenFor, campaignTransition } from '../../core/surveys/campaign.js';
import { questionnaireIdOfFlow, surveyFlowId, surveyKeys } from '../../core/surveys/questionnaire.js';
import type { Address, Channel, MessagePurpose, Owner } from '../../core/types.js';
import type { AppContext } from '../context.js';
import type { SurveyOwners } from '../owner/conversations.js';
import type { JobHandler } from '../scheduler.js';
import { OPEN_INVITATION, type SurveySupport } from './support.js';

/** Owners read at a time. */
const OWNER_PAGE = 200;
/** Owners one batch looks at per invitation it may write, at most (most owners skipped: the rest next batch). */
const MAX_READ_PER_INVITE = 20;

export class SurveyOutreach {
  private readonly ctx: AppContext;

  constructor(
    private readonly kit: SurveySupport,
    private readonly owners: SurveyOwners,
  ) {
    this.ctx = kit.ctx;
  }

  /** The job handlers to register with the scheduler: `survey.invite`, `survey.remind`, `survey.withdraw`. */
  jobHandlers(): Record<string, JobHandler> {
    return {
      'survey.invite': (job, tx) => this.inviteBatch(job, tx),
      'survey.remind': (job, tx) => this.remindBatch(job, tx),
      'survey.withdraw': (job, tx) => this.withdrawJob(job, tx),
    };
  }

  /**
   * Job `survey.invite`: one batch (per channel, up to its batch size) of owners who are reachable, in the
   * target, not opted out and not invited yet. Owners are read page by page in id order from where the
   * last batch stopped (`afterOwnerId` in the job), and each is checked with indexed look-ups, so a batch
   * reads about as many owners as it invites and memory stays flat however many owners there are. Each
   * invitation row is written with its messages in this transaction; in quiet hours the batch waits for
   * the morning instead. Schedules the next batch, or records that everyone has been invited.
   */
  private async inviteBatch(job: Job, tx: StoreTx): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    const now = this.kit.now();
    if (!c || !campaignOpenFor(c, 'invite', now)) return;
    const flowId = surveyFlowId(c.questionnaireId);
    if (!this.kit.questionnaireFor(c) || !this.ctx.registry.flows.has(flowId)) {
      this.ctx.log.error(
        { campaign: c.id, questionnaire: c.questionnaireId },
        'survey questionnaire is not loaded; no invitations sent',
      );
      return;
    }
    const begun = campaignTransition(c.status, 'begin');
    let campaign: SurveyCampaign = begun.ok ? { ...c, status: begun.status, startedAt: now } : c;
    if (await this.waitForMorning(tx, job, now)) {
      if (campaign !== c) await tx.saveSurveyCampaign({ ...campaign, updatedAt: now });
      return;
    }
    const used = new Map<Channel, number>();
    const full = (ch: Channel) => (used.get(ch) ?? 0) >= this.limitOf(ch);
    // The next batch starts after `cursor`: the last owner before the first one who had to wait.
    let cursor = typeof job.payload.afterOwnerId === 'string' ? job.payload.afterOwnerId : undefined;
    let waiting = false;
    let count = 0;
    let read = 0;
    let readAfterWait = 0;
    const pass = (owner: Owner) => {
      if (!waiting) cursor = owner.id;
    };
    const wait = () => {
      waiting = true;
    };
    for await (const owner of this.ownersFrom(tx, cursor)) {
      read += 1;
      if (waiting) readAfterWait += 1;
      // Bounded reads per batch: owners mostly skipped, or other platforms' owners sought once one is full.
      if (read > MAX_READ_PER_INVITE * this.batchTotal() || readAfterWait > OWNER_PAGE) {
        wait();
        break;
      }
      // Every platform this owner is on has had its batch: they wait for the next one (no store reads).
      if (owner.identities.length > 0 && owner.identities.every((i) => full(i.channel))) {
        wait();
        continue;
      }
      const verdict = await this.notToInvite(tx, c, owner);
      const address = verdict === 'skip' ? undefined : await this.addressOf(tx, owner);
      if (verdict === 'skip' || !address) {
        pass(owner);
        continue;
      }
      if (full(address.channel)) {
        wait();
        continue;
      }
      pass(owner);
      const building = verdict.building;
      const added = await tx.addSurveyInvitation({
        campaignId: c.id,
        ownerId: owner.id,
        status: 'invited',
        channel: address.channel,
        chatId: address.chatId,
        ...(building ? { building } : {}),
        invitedAt: now,
      });
      if (!added) continue;
      // Spread over the interval to the next batch at the platform's pace, not all due at once: a batch
      // due at once (300 on Telegram) filled the outbox ahead of every conversation, and an owner's next
      // question waited the whole batch (p99 18.7 s during a broadcast). Spread, at most a moment's worth
      // of invitations is due at any time, and an owner's reply goes out beside them.
      const slot = used.get(address.channel) ?? 0;
      const offset = Math.floor((slot * this.kit.batchIntervalMs) / this.limitOf(address.channel));
      const opts = {
        ...(offset > 0 ? { notBefore: new Date(now.getTime() + offset) } : {}),
        purpose: this.purpose(campaign, owner),
      };
      await this.owners.startFlowFor(tx, owner, address, flowId, this.kit.flowContext(campaign, owner.locale), opts);
      used.set(address.channel, slot + 1);
      count += 1;
    }
    campaign = { ...campaign, invitedCount: campaign.invitedCount + count, updatedAt: now };
    if (waiting) {
      const next = this.nextBatchAt(job, now);
      const payload = { campaignId: c.id, ...(cursor !== undefined ? { afterOwnerId: cursor } : {}) };
      await tx.scheduleJob({ id: this.ctx.newId(), type: 'survey.invite', dueAt: next, payload }, now);
    } else {
      campaign.invitationsDoneAt = now;
    }
    await tx.saveSurveyCampaign(campaign);
    this.ctx.log.info({ campaign: c.id, invited: count, waiting }, 'survey invitations written');
  }

  /** What an invitation or a reminder is for: the campaign, named by its questionnaire's title. */
  private purpose(c: SurveyCampaign, owner: Owner): MessagePurpose {
    const q = this.kit.questionnaireFor(c);
    return {
      kind: 'survey_invitation',
      ref: c.id,
      ...(q ? { title: this.ctx.t(owner.locale, surveyKeys(q.id).title) } : {}),
    };
  }

  /**
   * In quiet hours nothing is started in an owner's chat: a questionnaire opened at night would take the
   * owner's next message (say, a repair they report at 23:00) as an answer before they had seen its
   * invitation. The batch runs again at the first allowed instant instead. True when it was put off.
   */
  private async waitForMorning(tx: StoreTx, job: Job, now: Date): Promise<boolean> {
    const morning = this.kit.allowed(now);
    if (morning.getTime() <= now.getTime()) return false;
    await tx.scheduleJob({ id: this.ctx.newId(), type: job.type, dueAt: morning, payload: job.payload }, now);
    return true;
  }

  /**
   * Job `survey.remind` (`round` 1 or 2): reminds owners who have not answered, were last contacted at
   * least `remindGapMs` ago and have had fewer than `round` reminders: never more than two per owner. An
   * owner in the middle of another conversation is not interrupted: the questionnaire just waits in line.
   */
  private async remindBatch(job: Job, tx: StoreTx): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    const round = Number(job.payload.round) === 2 ? 2 : 1;
    const now = this.kit.now();
    if (!c || !campaignOpenFor(c, 'remind', now)) return;
    const q = this.kit.questionnaireFor(c);
    if (!q) return;
    const flowId = surveyFlowId(c.questionnaireId);
    const due = await tx.listSurveyInvitations(c.id, {
      statuses: round === 1 ? ['invited'] : ['invited', 'reminded1'],
      contactedBefore: new Date(now.getTime() - this.kit.remindGapMs + 1),
    });
    if (await this.waitForMorning(tx, job, now)) return;
    const optedOut = new Set(await tx.listSurveyOptOuts());
    const used = new Map<Channel, number>();
    let waiting = 0;
    for (const inv of due) {
      if (optedOut.has(inv.ownerId)) {
        await tx.updateSurveyInvitation({ ...inv, status: 'declined' });
        continue;
      }
      const owner = await tx.getOwner(inv.ownerId);
      if (!owner || owner.unreachable) continue;
      const n = used.get(inv.channel) ?? 0;
      if (n >= this.limitOf(inv.channel)) {
        waiting += 1;
        continue;
      }
      used.set(inv.channel, n + 1);
      const address: Address = { channel: inv.channel, chatId: inv.chatId };
      const params = {
        title: this.ctx.t(owner.locale, surveyKeys(q.id).title),
        deadline: this.kit.time(c.endAt, owner.locale),
      };
      const running = (await tx.getThread(inv.channel, inv.chatId))?.state.flow;
      const purpose = this.purpose(c, owner);
      if (running?.flowId === flowId && running.context.campaign === c.id) {
        await this.ctx.sendTo(tx, address, {
          text: this.ctx.t(owner.locale, 'survey.reminder_in_progress', params),
          purpose,
        });
      } else {
        if (!running) {
          await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'survey.reminder', params), purpose });
        }
        await this.owners.startFlowFor(tx, owner, address, flowId, this.kit.flowContext(c, owner.locale), {
          ...(inv.draft ? { preset: inv.draft } : {}),
          purpose,
        });
      }
      await tx.updateSurveyInvitation({
        ...inv,
        status: inv.status === 'invited' ? 'reminded1' : 'reminded2',
        lastRemindedAt: now,
      });
    }
    if (waiting > 0) {
      const next = this.nextBatchAt(job, now);
      await tx.scheduleJob(
        { id: this.ctx.newId(), type: 'survey.remind', dueAt: next, payload: { campaignId: c.id, round } },
        now,
      );
    }
  }

  /** The owners after `afterId` in id order, read a page at a time as the walk goes on (a batch stops it). */
  private async *ownersFrom(tx: StoreTx, afterId: string | undefined): AsyncGenerator<Owner> {
    const pageSize = Math.min(OWNER_PAGE, this.batchTotal() + 1);
    let after = afterId;
    for (;;) {
      const page = await tx.listOwnersAfter(after, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      after = page.at(-1)?.id;
    }
  }

  /** Why an owner gets no invitation (unreachable, outside the target, opted out, invited already), or their building. */
  private async notToInvite(
    tx: StoreTx,
    c: SurveyCampaign,
    owner: Owner,
  ): Promise<'skip' | { building: string | undefined }> {
    if (owner.unreachable) return 'skip';
    const building = buildingFor(owner, c.target);
    if (c.target.kind === 'buildings' && building === undefined) return 'skip';
    if (await tx.getSurveyOptOut(owner.id)) return 'skip';
    if (await tx.getSurveyInvitation(c.id, owner.id)) return 'skip';
    return { building };
  }

  /**
   * When the batch after this one is due: one interval after this one was due, not after it ran. A batch
   * runs a little after its time (the scheduler's tick, the batch's own work), so "an interval from now"
   * fell just after the next tick and every batch waited a tick more: half the configured pace (seen at
   * 20/s: ~11/s). At least half an interval from now, so a batch run late is not followed by another at once.
   */
  private nextBatchAt(job: Job, now: Date): Date {
    const interval = this.kit.batchIntervalMs;
    return new Date(Math.max(job.dueAt.getTime() + interval, now.getTime() + interval / 2));
  }

  /** Invitations one batch may write, over every platform. */
  private batchTotal(): number {
    return Object.values(this.kit.batchSize).reduce((sum, n) => sum + Math.max(1, n), 0);
  }

  /** Where to reach an owner: the identity whose chat was active last. */
  private async addressOf(tx: StoreTx, owner: Owner): Promise<Address | undefined> {
    let best: { address: Address; at: number } | undefined;
    for (const identity of owner.identities) {
      const thread = await tx.getThread(identity.channel, identity.chatId);
      const at = thread?.updatedAt.getTime() ?? -1;
      if (!best || at > best.at) best = { address: { channel: identity.channel, chatId: identity.chatId }, at };
    }
    return best?.address;
  }

  private limitOf(channel: Channel): number {
    return Math.max(1, this.kit.batchSize[channel] ?? 10);
  }

  /**
   * A closed campaign's questionnaire leaves every chat it still waits in, so nobody answers questions
   * that can no longer count: one queued behind another conversation is dropped unseen; an owner half-way
   * through is told the survey has closed and whatever was waiting behind it starts.
   */
  async withdraw(tx: StoreTx, c: SurveyCampaign): Promise<void> {
    const now = this.kit.now();
    const ours = (f: { flowId: string; context: FlowContext }) =>
      questionnaireIdOfFlow(f.flowId) !== undefined && f.context.campaign === c.id;
    for (const inv of await tx.listSurveyInvitations(c.id, { statuses: OPEN_INVITATION })) {
      const owner = await tx.getOwner(inv.ownerId);
      // The questionnaire may have been opened again in another of the owner's chats (问卷).
      const addresses: Address[] = [{ channel: inv.channel, chatId: inv.chatId }];
      for (const i of owner?.identities ?? []) {
        if (!addresses.some((a) => a.channel === i.channel && a.chatId === i.chatId))
          addresses.push({ channel: i.channel, chatId: i.chatId });
      }
      for (const address of addresses) {
        const thread = await tx.getThread(address.channel, address.chatId);
        if (!thread) continue;
        const state = structuredClone(thread.state);
        const droppedCurrent = state.flow !== undefined && ours(state.flow);
        const queued = state.queue.length;
        state.queue = state.queue.filter((q) => !ours(q));
        if (!droppedCurrent && state.queue.length === queued) continue;
        if (droppedCurrent) state.flow = undefined;
        const next = droppedCurrent ? state.queue.shift() : undefined;
        await tx.saveThread({ ...thread, state, updatedAt: now });
        if (!droppedCurrent || !owner || owner.unreachable) continue;
        await this.ctx.sendTo(tx, address, { text: this.ctx.t(owner.locale, 'survey.closed') });
        if (next) await this.owners.startFlowFor(tx, owner, address, next.flowId, next.context);
      }
    }
  }

  /** Job `survey.withdraw`: a campaign closed in quiet hours leaves owners' chats in the morning. */
  private async withdrawJob(job: Job, tx: StoreTx): Promise<void> {
    const c = await tx.getSurveyCampaign(String(job.payload.campaignId));
    if (c && campaignAllows(c.status, 'withdraw')) await this.withdraw(tx, c);
  }
}
