/** Scheduled jobs in MongoDB, leased one document at a time with `findOneAndUpdate`. */
import type { Job, JobStatus, JobStore, NewJob } from '../../../core/ports.js';
import { type JobDoc, jobFromDoc, jobToDoc } from './mapping.js';
import { isDuplicateKey, limitOf, MongoOps } from './transactions.js';

export class MongoJobs extends MongoOps implements JobStore {
  async scheduleJob(job: NewJob, now: Date): Promise<Job> {
    const unfinished = async () =>
      job.key === undefined ? null : await this.m.jobs.findOne({ unfinishedKey: job.key }, null, this.o).lean<JobDoc>();
    const existing = await unfinished();
    if (existing) return jobFromDoc(existing);
    const created: Job = {
      id: job.id,
      type: job.type,
      dueAt: job.dueAt,
      payload: job.payload,
      status: 'pending',
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    if (job.key !== undefined) created.key = job.key;
    const doc = jobToDoc(created);
    try {
      await this.m.jobs.insertMany([doc], this.o);
    } catch (error) {
      // Another process scheduled the same key meanwhile: return its job, as if it had been first.
      if (!this.session && isDuplicateKey(error)) {
        const winner = await unfinished();
        if (winner) return jobFromDoc(winner);
      }
      throw error;
    }
    return jobFromDoc(doc);
  }

  async cancelJobs(key: string, now: Date): Promise<number> {
    const result = await this.m.jobs.updateMany(
      { key, status: 'pending' },
      { $set: { status: 'cancelled', updatedAt: now }, $unset: { unfinishedKey: 1 } },
      this.o,
    );
    return result.modifiedCount;
  }

  async getJob(id: string): Promise<Job | undefined> {
    const doc = await this.m.jobs.findOne({ id }, null, this.o).lean<JobDoc>();
    return doc ? jobFromDoc(doc) : undefined;
  }

  /** Leases one job at a time, earliest due first (ties in scheduling order), until `limit` or none is left. */
  async claimJobs(now: Date, worker: string, leaseMs: number, limit: number): Promise<Job[]> {
    const n = limitOf(limit) ?? Number.POSITIVE_INFINITY;
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed: Job[] = [];
    while (claimed.length < n) {
      const doc = await this.m.jobs
        .findOneAndUpdate(
          {
            $or: [
              { status: 'pending', dueAt: { $lte: now } },
              { status: 'running', leaseUntil: { $lt: now } },
            ],
            id: { $nin: claimed.map((job) => job.id) },
          },
          { $set: { status: 'running', leaseOwner: worker, leaseUntil, updatedAt: now }, $inc: { attempts: 1 } },
          { sort: { dueAt: 1, _id: 1 }, returnDocument: 'after', ...this.o },
        )
        .lean<JobDoc>();
      if (!doc) break;
      claimed.push(jobFromDoc(doc));
    }
    return claimed;
  }

  /** Changes a running job while `worker` holds its lease; true when it did. */
  private async leased(
    id: string,
    worker: string,
    update: Record<string, unknown> | Record<string, unknown>[],
  ): Promise<boolean> {
    const result = await this.m.jobs.updateOne({ id, status: 'running', leaseOwner: worker }, update, {
      ...this.o,
      ...(Array.isArray(update) ? { updatePipeline: true } : {}),
    });
    return result.matchedCount === 1;
  }

  completeJob(id: string, worker: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, {
      $set: { status: 'done', updatedAt: now },
      $unset: { leaseOwner: 1, leaseUntil: 1, unfinishedKey: 1 },
    });
  }

  retryJob(id: string, worker: string, dueAt: Date, error: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, {
      $set: { status: 'pending', dueAt, lastError: error, updatedAt: now },
      $unset: { leaseOwner: 1, leaseUntil: 1 },
    });
  }

  failJob(id: string, worker: string, error: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, {
      $set: { status: 'failed', lastError: error, updatedAt: now },
      $unset: { leaseOwner: 1, leaseUntil: 1, unfinishedKey: 1 },
    });
  }

  /** Back to pending without counting the attempt its claim counted. */
  releaseJob(id: string, worker: string, now: Date): Promise<boolean> {
    return this.leased(id, worker, [
      { $set: { status: 'pending', attempts: { $max: [{ $subtract: ['$attempts', 1] }, 0] }, updatedAt: now } },
      { $unset: ['leaseOwner', 'leaseUntil'] },
    ]);
  }

  async listJobs(filter: { status?: JobStatus; type?: string }): Promise<Job[]> {
    const query: Record<string, unknown> = {};
    if (filter.status !== undefined) query.status = filter.status;
    if (filter.type !== undefined) query.type = filter.type;
    const docs = await this.m.jobs.find(query, null, this.o).sort({ dueAt: 1, _id: 1 }).lean<JobDoc[]>();
    return docs.map(jobFromDoc);
  }
}
