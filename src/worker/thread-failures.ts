import type { ClaimedJob } from '../queue/job-types.ts'

/** Why the pool ended a handler thread (null: it ended by itself, a crash). */
export type ExitReason = 'memory' | 'timeout' | 'fenced' | null

/**
 * The job error and the RUNTIME_ERROR message for a handler thread that ended
 * while running a job. The warning message names no job, so repeats of one
 * failure count up one warning; the job error says what happened to the job.
 */
export function threadFailure(job: ClaimedJob, how: { reason: 'memory' | 'crash' | 'timeout'; memoryMb: number; timeoutMs: number; code?: number; error?: string }) {
  const type = job.eventType
  if (how.reason === 'memory') {
    const raise = `raise jobs.threadMemoryMb (in app.toml: [jobs] threadMemoryMb = ${how.memoryMb * 2}) if the handler needs more, or fix the leak`
    return {
      job: `${type}: the handler thread passed its memory cap of ${how.memoryMb} MB (jobs.threadMemoryMb) while running this job and was replaced; ${raise}`,
      warning: `event type "${type}": its handler thread passed the memory cap of ${how.memoryMb} MB (jobs.threadMemoryMb) and was replaced; the job failed. ${raise[0]!.toUpperCase()}${raise.slice(1)}`,
    }
  }
  if (how.reason === 'timeout') {
    return {
      job: `${type}: timed out after ${how.timeoutMs} ms and did not stop when its AbortSignal fired (a loop that never yields?): the handler thread was terminated and replaced`,
      warning: `event type "${type}": run(ctx) did not stop within jobs.timeoutMs (${how.timeoutMs} ms) and ignored its AbortSignal, so its handler thread was terminated; the job failed. Let run(ctx) yield and honour ctx.signal`,
    }
  }
  return {
    job: `${type}: the handler thread exited (code ${how.code}) while running this job${how.error ? `: ${how.error}` : ''}`,
    warning: `event type "${type}": its handler thread crashed (exit code ${how.code}) while run(ctx) ran; the job failed${how.error ? `: ${how.error.split('\n')[0]}` : ''}`,
  }
}
