import { readFileSync } from 'node:fs'
import { extname } from 'node:path'
import type { Command } from 'commander'
import { parse as parseToml } from 'smol-toml'
import { AppError, ExitCode } from '../errors/app-error.ts'
import { applyBots } from '../bots/apply-bots.ts'
import { createHostServices } from '../host/create-host-services.ts'
import { importResources } from '../resources/import-resources.ts'
import { registeredIds } from '../bots/registered-ids.ts'
import { describeSchedule, listSchedules } from '../schedules/list-schedules.ts'
import type { RowIssue } from '../resources/row-issues.ts'
import { enqueueJobs } from '../queue/insert-jobs.ts'
import { createJobAdmin } from '../queue/job-admin.ts'
import { BOT_RUN, type JobRecord, type JobStatus } from '../queue/job-types.ts'
import { openRuntimeDb } from '../runtime/open-runtime.ts'
import { openReadonlyStore } from '../store/open-store.ts'
import { contextFromCommand } from './cli-context.ts'
import { formatTable } from './format-table.ts'
import { print, printError, printJson } from './print-output.ts'

async function withRuntime<T>(cmd: Command, fn: (db: ReturnType<typeof openRuntimeDb>, dataDir: string) => Promise<T>): Promise<T> {
  const { config } = contextFromCommand(cmd)
  const db = openRuntimeDb(config.dataDir)
  try { return await fn(db, config.dataDir) } finally { db.close() }
}

function eventId(raw: string): number {
  const id = Number(raw)
  if (!Number.isSafeInteger(id) || id < 1) throw new AppError('USAGE', `event id must be a positive integer (see \`app events list\`); found "${raw}"`, { exitCode: ExitCode.usage })
  return id
}

function readDataFile(file: string, what: string, allowToml: boolean): unknown {
  let text: string
  try { text = readFileSync(file, 'utf8') } catch (cause) {
    throw new AppError('FILE_UNREADABLE', `cannot read ${what} file ${file}: ${(cause as Error).message}`, { exitCode: ExitCode.usage, cause })
  }
  const toml = allowToml && extname(file).toLowerCase() === '.toml'
  try { return toml ? parseToml(text) : JSON.parse(text) } catch (cause) {
    throw new AppError('FILE_INVALID', `${what} file ${file} is not valid ${toml ? 'TOML' : 'JSON'}: ${(cause as Error).message}${allowToml ? ' (a .toml file is read as TOML, anything else as JSON)' : ''}`, { exitCode: ExitCode.usage, cause })
  }
}

/** Rejected rows go to stderr, one line each, and make the exit code 1; the good rows have landed. */
function reportRejected(rejected: RowIssue[], what: string): void {
  for (const r of rejected) printError(`app: ${r.index < 0 ? 'file' : `${what} #${r.index}${r.id ? ` ("${r.id}")` : ''}`}: ${r.field}: ${r.message}`)
  if (rejected.length) process.exitCode = ExitCode.runtime
}

const short = (s: string | null, n = 60) => (s === null ? '-' : s.length > n ? `${s.slice(0, n - 1)}…` : s)

function eventsTable(jobs: JobRecord[]): string {
  return formatTable(['ID', 'STATUS', 'TYPE', 'BOT', 'RESOURCE', 'RUN AT', 'ATTEMPTS', 'LAST ERROR'],
    jobs.map((j) => [String(j.id), j.status, j.eventType, j.bot ?? '-', j.resource ?? '-', j.runAt, String(j.attempts), short(j.lastError?.split('\n')[0] ?? null)]))
}

/** `app events list --schedules`: plugin jobs, bot schedules and scheduled bot events, with next and last run. */
async function printSchedules(cmd: Command, json: boolean): Promise<void> {
  await withRuntime(cmd, async (db) => {
    const list = await listSchedules(db)
    if (json) return printJson({ schedules: list })
    if (!list.length) return print('no schedules')
    print(formatTable(['PLUGIN', 'ID', 'KIND', 'SCHEDULE', 'NEXT RUN', 'LAST RUN'], list.map((s) => [
      s.plugin ?? '-', s.id, s.kind, describeSchedule(s.schedule), s.active ? s.nextRunAt ?? '-' : 'paused (plugin not in the generation)', s.lastRunAt ?? '-',
    ])))
  })
}

/** `app events`, `app resources` and `app bots`: the queue, the inventory and the bots in runtime.db. */
export function addEventsCommands(program: Command): void {
  const events = program.command('events').description('scheduled events and bot runs in the queue')

  events.command('list').description('the newest events, optionally filtered')
    .option('--status <status>', 'pending, running, done, failed, cancelled or orphaned')
    .option('--type <eventType>', 'only this event type (bot runs are app.bot_run)')
    .option('--bot <name>', 'only events of this bot')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--schedules', 'list the recurring schedules instead: plugin jobs (jobs.schedule), bot schedules, scheduled bot events')
    .option('--json', 'print JSON: {"counts", "events": [...]} (with --schedules: {"schedules": [...]})')
    .action(async (opts: { status?: string; type?: string; bot?: string; limit?: string; json?: boolean; schedules?: boolean }, cmd: Command) => {
      if (opts.schedules) return printSchedules(cmd, opts.json === true)
      const limit = opts.limit === undefined ? 100 : Number(opts.limit)
      if (!Number.isSafeInteger(limit) || limit < 1) throw new AppError('USAGE', `--limit must be a positive integer; found "${opts.limit}"`, { exitCode: ExitCode.usage })
      await withRuntime(cmd, async (db) => {
        const admin = createJobAdmin(db)
        const list = await admin.list({ status: opts.status as JobStatus | undefined, eventType: opts.type, bot: opts.bot, limit })
        const counts = await admin.counts()
        if (opts.json) return printJson({ counts, events: list })
        if (!list.length) return print('no events')
        print(eventsTable(list))
        print(`\n${Object.entries(counts).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`).join(', ')}`)
      })
    })

  events.command('show').description('one event with its lease, attempts and last error').argument('<id>', 'event id')
    .option('--json', 'print JSON')
    .action(async (raw: string, opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (db) => {
        const job = await createJobAdmin(db).get(eventId(raw))
        if (opts.json) return printJson(job)
        for (const [k, v] of Object.entries(job)) if (k !== 'lastError' && k !== 'payload') print(`${`${k}:`.padEnd(16)}${v ?? '-'}`)
        print(`${'payload:'.padEnd(16)}${JSON.stringify(job.payload)}`)
        if (job.lastError) print(`last error:\n${job.lastError}`)
      })
    })

  events.command('retry').description('run a failed, cancelled, done or orphaned event again now, with fresh attempts').argument('<id>', 'event id')
    .option('--json', 'print JSON')
    .action(async (raw: string, opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (db) => {
        const job = await createJobAdmin(db).retry(eventId(raw))
        if (opts.json) return printJson(job)
        print(`event ${job.id} (${job.eventType}) is pending again; a worker that has the type will run it`)
      })
    })

  events.command('cancel').description('cancel a pending, orphaned or running event').argument('<id>', 'event id')
    .option('--schedule', 'also remove the recurring schedule (interval, cron or bot schedule) that fired it')
    .option('--json', 'print JSON')
    .action(async (raw: string, opts: { schedule?: boolean; json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (db) => {
        const { job, wasRunning, scheduleRemoved } = await createJobAdmin(db).cancel(eventId(raw), { schedule: opts.schedule })
        if (opts.json) return printJson({ ...job, scheduleRemoved })
        print(`event ${job.id} (${job.eventType}) is ${job.status}${wasRunning ? '; it was running: its handler may finish, but its result is dropped and it is not retried' : ''}`)
        if (opts.schedule) print(scheduleRemoved ? `its schedule ${job.scheduleId} is removed and fires no more${job.eventType === BOT_RUN ? ' (`app bots apply` with a schedule adds it back)' : ''}` : `its schedule ${job.scheduleId} was already removed`)
      })
    })

  const resources = program.command('resources').description('the resource inventory that bots work on')

  resources.command('import').description('create or update resources from a JSON array: tags and properties merge key by key (null removes one); bad rows are reported, good rows still land').argument('<file>', 'JSON file')
    .option('--replace', 'make the inventory exactly the file: rows are written as given, resources the file lacks are deleted (resource.deleted hooks); a file with a bad row changes nothing')
    .option('--json', 'print JSON: {"total", "imported", "created", "modified", "unchanged", "deleted", "rejected": [...], "applied"}')
    .action(async (file: string, opts: { json?: boolean; replace?: boolean }, cmd: Command) => {
      const data = readDataFile(file, 'resources', false)
      await withRuntime(cmd, async (db) => {
        const result = await importResources(db, data, { replace: opts.replace === true })
        if (opts.replace && !result.applied) {
          if (opts.json) printJson(result)
          reportRejected(result.rejected, 'resource')
          throw new AppError('FILE_INVALID', `${file}: ${new Set(result.rejected.map((r) => r.index)).size} bad row(s) (listed above), so --replace changed nothing: with a bad row it cannot tell which resources the file means to keep. Fix the rows and import again.`, { exitCode: ExitCode.usage })
        }
        if (opts.json) printJson(result)
        else print(`imported ${result.imported} of ${result.total} resource(s): ${result.created} created, ${result.modified} changed, ${result.unchanged} unchanged${opts.replace ? `, ${result.deleted} deleted (not in the file)` : ''}${result.rejected.length ? '; rejected rows are listed on stderr' : ''}`)
        reportRejected(result.rejected, 'resource')
      })
    })

  resources.command('list').description('the resources in the inventory')
    .option('--type <type>', 'only this type').option('--state <state>', 'only this state')
    .option('--json', 'print JSON: {"resources": [...]}')
    .action(async (opts: { type?: string; state?: string; json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (db) => {
        const list = await createHostServices(db).resources.find({ type: opts.type, state: opts.state })
        if (opts.json) return printJson({ resources: list })
        if (!list.length) return print('no resources')
        print(formatTable(['ID', 'TYPE', 'CLOUD', 'REGION', 'NAME', 'STATE'], list.map((r) => [r.id, r.type, r.cloud, r.region, r.name, r.state])))
      })
    })

  const bots = program.command('bots').description('bots: filters over resources, and an action on the matches')

  bots.command('apply').description('create or update bots from a JSON array, or TOML [[bots]] tables (a .toml file)').argument('<file>', 'JSON or TOML file')
    .option('--json', 'print JSON: {"applied", "rejected", "unknown", "unchecked", "invalid"}')
    .action(async (file: string, opts: { json?: boolean }, cmd: Command) => {
      const data = readDataFile(file, 'bots', true)
      await withRuntime(cmd, async (db, dataDir) => {
        const store = await openReadonlyStore(dataDir, { waitMs: 0 }).catch((error) => {
          if ((error as AppError).code === 'STORE_MISSING') return null
          throw error
        })
        try {
          const result = await applyBots(db, data, store ? await registeredIds(store) : null)
          if (result.invalid.length) {
            // Rows of the wrong shape are listed too: every problem of the file at once.
            if (opts.json) printJson(result)
            for (const r of result.rejected) printError(`app: bot #${r.index}${r.id ? ` ("${r.id}")` : ''}: ${r.field}: ${r.message}`)
            const bots = new Set(result.invalid.map((p) => p.bot)).size
            throw new AppError('BOTS_INVALID', `${result.invalid.length} problem(s) in ${bots} bot(s) of ${file}, so no bot was applied:\n${result.invalid.map((p) => `  ${p.message}`).join('\n')}`)
          }
          if (opts.json) printJson(result)
          else {
            const created = result.applied.filter((b) => b.created).length
            print(`applied ${result.applied.length} bot(s): ${created} created, ${result.applied.length - created} updated`)
          }
          for (const u of result.unknown) printError(`app: warning: ${u.message}`)
          if (result.unchecked) printError(`app: note: ${result.unchecked}`)
          reportRejected(result.rejected, 'bot')
        } finally { await store?.close() }
      })
    })

  bots.command('run').description('enqueue a run of a bot now; a worker runs its filters and action').argument('<name>', 'bot name')
    .option('--json', 'print JSON: the queued event')
    .action(async (name: string, opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (db) => {
        const bot = await createHostServices(db).bots.get(name)
        if (!bot) {
          const names = (await createHostServices(db).bots.list()).map((b) => b.name)
          throw new AppError('BOT_NOT_FOUND', `no bot named "${name}"${names.length ? `; bots: ${names.join(', ')}` : ''}. Create it with \`app bots apply <file>\`.`)
        }
        await enqueueJobs(db, [{ eventType: BOT_RUN, bot: name, runAt: Date.now(), owner: 'cli', description: `run of bot ${name}`, payload: { trigger: 'cli' } }])
        const job = (await createJobAdmin(db).list({ bot: name, eventType: BOT_RUN, limit: 1 }))[0]!
        if (opts.json) return printJson(job)
        print(`queued run of bot "${name}" as event ${job.id}${bot.enabled ? '' : ' (the bot is disabled: its schedule does not fire, but this run will)'}`)
      })
    })

  bots.command('list').description('the bots in runtime.db')
    .option('--json', 'print JSON: {"bots": [...]}')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withRuntime(cmd, async (db) => {
        const list = await createHostServices(db).bots.list()
        if (opts.json) return printJson({ bots: list })
        if (!list.length) return print('no bots')
        const schedule = (b: (typeof list)[number]) => (!b.schedule ? 'on demand' : 'intervalSeconds' in b.schedule ? `every ${b.schedule.intervalSeconds}s` : `cron ${b.schedule.cron}${b.schedule.timezone ? ` ${b.schedule.timezone}` : ''}`)
        print(formatTable(['NAME', 'ENABLED', 'TYPES', 'FILTERS', 'ACTION', 'SCHEDULE'], list.map((b) => [b.name, b.enabled ? 'yes' : 'no', b.resourceTypes.join(','), b.filters.map((f) => f.queryId).join(',') || '-', b.action.uid, schedule(b)])))
      })
    })
}
