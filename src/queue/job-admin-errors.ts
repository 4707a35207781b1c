import { AppError } from '../errors/app-error.ts'
import type { JobFilter } from './job-queue.ts'
import { JOB_STATUSES, type JobStatus } from './job-types.ts'

// The operator's errors, shared by the SQLite and PostgreSQL admins so both backends say the same thing.

export function eventNotFound(id: number): AppError {
  return new AppError(
    'EVENT_NOT_FOUND',
    `no event with id ${id}; \`app events list\` shows the events kept (finished ones are pruned after jobs.retentionMs).`,
  )
}

export function eventNotRetryable(id: number, status: JobStatus): AppError {
  return new AppError(
    'EVENT_NOT_RETRYABLE',
    `event ${id} is ${status}; only failed, cancelled, done or orphaned events can be retried (a pending or running one will run anyway).`,
  )
}

export function eventNotScheduled(id: number): AppError {
  return new AppError(
    'EVENT_NOT_SCHEDULED',
    `event ${id} was not fired by a recurring schedule (it was scheduled once, or queued by \`app bots run\`), so there is no schedule to remove.`,
  )
}

export function eventNotCancellable(id: number, status: JobStatus): AppError {
  return new AppError(
    'EVENT_NOT_CANCELLABLE',
    `event ${id} is already ${status}; only pending, orphaned or running events can be cancelled (add --schedule to stop the recurring schedule that fired it).`,
  )
}

/** Refuses a status filter that is not one of the job statuses (exit 2, a usage error). */
export function checkJobFilter(filter: JobFilter): void {
  if (filter.status && !JOB_STATUSES.includes(filter.status)) {
    throw new AppError('USAGE', `unknown status "${filter.status}"; expected one of ${JOB_STATUSES.join(', ')}`, { exitCode: 2 })
  }
}
