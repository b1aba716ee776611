/** Scheduled jobs in SQLite: columns only, leased with conditional updates. */
import type Database from 'better-sqlite3';
import { type Job, type JobStatus, type JobStore, StoreError } from '../../../core/ports.js';
import type { Sync } from '../shared/methods.js';
import { ms, parseJson, reviveDate, StatementCache } from './rows.js';

interface JobRow {
  id: string;
  type: string;
  status: JobStatus;
  due_at: number;
  key: string | null;
  payload: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

function jobFromRow(row: JobRow): Job {
  const job: Job = {
    id: row.id,
    type: row.type,
    dueAt: reviveDate(row.due_at, 'jobs.due_at'),
    payload: parseJson<Record<string, unknown>>(row.payload, 'jobs.payload'),
    status: row.status,
    attempts: row.attempts,
    createdAt: reviveDate(row.created_at, 'jobs.created_at'),
    updatedAt: reviveDate(row.updated_at, 'jobs.updated_at'),
  };
  if (row.key !== null) job.key = row.key;
  if (row.lease_owner !== null) job.leaseOwner = row.lease_owner;
  if (row.lease_until !== null) job.leaseUntil = reviveDate(row.lease_until, 'jobs.lease_until');
  if (row.last_error !== null) job.lastError = row.last_error;
  return job;
}

export function jobOps(db: Database.Database): Sync<JobStore> {
  const cache = new StatementCache(db);
  const s = {
    unfinishedJobByKey: db.prepare<[string], JobRow>(
      "SELECT * FROM jobs WHERE key = ? AND status IN ('pending', 'running')",
    ),
    insertJob: db.prepare<
      [{ id: string; type: string; due_at: number; key: string | null; payload: string; now: number }],
      JobRow
    >(
      `INSERT INTO jobs (id, type, status, due_at, key, payload, attempts, created_at, updated_at)
         VALUES (@id, @type, 'pending', @due_at, @key, @payload, 0, @now, @now) RETURNING *`,
    ),
    cancelJobs: db.prepare<[number, string]>(
      "UPDATE jobs SET status = 'cancelled', updated_at = ? WHERE key = ? AND status = 'pending'",
    ),
    getJob: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
    claimableJobs: db
      .prepare<[number, number, number], string>(
        `SELECT id FROM jobs
           WHERE (status = 'pending' AND due_at <= ?) OR (status = 'running' AND lease_until < ?)
           ORDER BY due_at, rowid LIMIT ?`,
      )
      .pluck(),
    leaseJob: db.prepare<[string, number, number, string], JobRow>(
      `UPDATE jobs SET status = 'running', lease_owner = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
         WHERE id = ? RETURNING *`,
    ),
    completeJob: db.prepare<[number, string, string]>(
      `UPDATE jobs SET status = 'done', lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
    retryJob: db.prepare<[number, string, number, string, string]>(
      `UPDATE jobs SET status = 'pending', due_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
    failJob: db.prepare<[string, number, string, string]>(
      `UPDATE jobs SET status = 'failed', last_error = ?, lease_owner = NULL, lease_until = NULL, updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
    releaseJob: db.prepare<[number, string, string]>(
      `UPDATE jobs SET status = 'pending', attempts = max(attempts - 1, 0), lease_owner = NULL, lease_until = NULL,
           updated_at = ?
         WHERE id = ? AND status = 'running' AND lease_owner = ?`,
    ),
  };

  return {
    scheduleJob(job, now) {
      if (job.key !== undefined) {
        const existing = s.unfinishedJobByKey.get(job.key);
        if (existing) return jobFromRow(existing);
      }
      const row = s.insertJob.get({
        id: job.id,
        type: job.type,
        due_at: ms(job.dueAt),
        key: job.key ?? null,
        payload: JSON.stringify(job.payload),
        now: ms(now),
      });
      if (!row) throw new StoreError('STORE_CORRUPT', 'job insert returned no row');
      return jobFromRow(row);
    },

    cancelJobs(key, now) {
      return s.cancelJobs.run(ms(now), key).changes;
    },

    getJob(id) {
      const row = s.getJob.get(id);
      return row === undefined ? undefined : jobFromRow(row);
    },

    claimJobs(now, worker, leaseMs, limit) {
      const ids = s.claimableJobs.all(ms(now), ms(now), limit);
      const leaseUntil = ms(now) + leaseMs;
      return ids.flatMap((id) => {
        const row = s.leaseJob.get(worker, leaseUntil, ms(now), id);
        return row ? [jobFromRow(row)] : [];
      });
    },

    completeJob(id, worker, now) {
      return s.completeJob.run(ms(now), id, worker).changes === 1;
    },

    retryJob(id, worker, dueAt, error, now) {
      return s.retryJob.run(ms(dueAt), error, ms(now), id, worker).changes === 1;
    },

    failJob(id, worker, error, now) {
      return s.failJob.run(error, ms(now), id, worker).changes === 1;
    },

    releaseJob(id, worker, now) {
      return s.releaseJob.run(ms(now), id, worker).changes === 1;
    },

    listJobs(filter) {
      const where: string[] = [];
      const params: string[] = [];
      if (filter.status !== undefined) {
        where.push('status = ?');
        params.push(filter.status);
      }
      if (filter.type !== undefined) {
        where.push('type = ?');
        params.push(filter.type);
      }
      const sql = `SELECT * FROM jobs ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY due_at, rowid`;
      return cache
        .get<JobRow>(sql)
        .all(...params)
        .map(jobFromRow);
    },
  };
}
