import type { ClaimedJob } from '../queue/job-types.ts'
import type { PluginCodeOwner } from './handler-protocol.ts'

/** Why the pool ended a handler thread (null: it ended by itself, a crash). */
export type ExitReason = 'memory' | 'timeout' | 'fenced' | null

/**
 * The job error and the RUNTIME_ERROR message for a handler thread that ended
 * while running a job. The warning message names no job, so repeats of one
 * failure count up one warning; the job error says what happened to the job.
 */
export function threadFailure(
  job: ClaimedJob,
  how: { reason: 'memory' | 'crash' | 'timeout'; memoryMb: number; timeoutMs: number; code?: number; error?: string },
  running: PluginCodeOwner | null = null,
) {
  const type = job.eventType
  // A bot's filter or action was running: the warning names it (and its plugin gets it), not the bot-run job type.
  if (running) return botCodeFailure(job, how, running)
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

function botCodeFailure(job: ClaimedJob, how: Parameters<typeof threadFailure>[1], running: PluginCodeOwner) {
  const subject = `bot "${job.bot}": ${running.what}`
  const warning =
    how.reason === 'memory'
      ? `${subject} took its handler thread past the memory cap of ${how.memoryMb} MB (jobs.threadMemoryMb); the thread was replaced and the job failed. Fix the leak, or raise jobs.threadMemoryMb`
      : how.reason === 'timeout'
        ? `${subject} did not return within jobs.timeoutMs (${how.timeoutMs} ms) and never yielded (a loop?), so its handler thread was terminated; the job failed. Make it return sooner`
        : `${subject} crashed its handler thread (exit code ${how.code}); the job failed${how.error ? `: ${how.error.split('\n')[0]}` : ''}`
  return { job: `${subject} (plugin ${running.plugin} ${running.version}): ${warning.slice(subject.length + 1)}`, warning }
}
