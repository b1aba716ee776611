export type JobStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** A durable scheduled job. */
export interface Job {
  id: string;
  type: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  status: JobStatus;
  attempts: number;
  /** Unique among jobs that are not finished: scheduling a second job with the same key is a no-op. */
  key?: string;
  leaseOwner?: string;
  leaseUntil?: Date;
  lastError?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewJob {
  id: string;
  type: string;
  dueAt: Date;
  payload: Record<string, unknown>;
  key?: string;
}

/** Scheduled jobs, claimed under a lease. */
export interface JobStore {
  /** Schedules a job; when `key` names an unfinished job already, returns that one instead. */
  scheduleJob(job: NewJob, now: Date): Promise<Job>;
  /** Cancels pending jobs with this key; returns how many. */
  cancelJobs(key: string, now: Date): Promise<number>;
  getJob(id: string): Promise<Job | undefined>;
  /** Due (`dueAt <= now`) pending jobs, and running ones whose lease has expired, leased to `worker`. */
  claimJobs(now: Date, worker: string, leaseMs: number, limit: number): Promise<Job[]>;
  /** The following four change a job only while `worker` holds its lease; they return false otherwise. */
  completeJob(id: string, worker: string, now: Date): Promise<boolean>;
  retryJob(id: string, worker: string, dueAt: Date, error: string, now: Date): Promise<boolean>;
  failJob(id: string, worker: string, error: string, now: Date): Promise<boolean>;
  releaseJob(id: string, worker: string, now: Date): Promise<boolean>;
  listJobs(filter: { status?: JobStatus; type?: string }): Promise<Job[]>;
}
