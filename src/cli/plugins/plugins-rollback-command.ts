import type { Command } from 'commander'
import { AppError, ExitCode } from '../../errors/app-error.ts'
import { openPublishTarget } from '../../publish/open-publish-target.ts'
import { contextFromCommand } from '../cli-context.ts'
import { print } from '../print-output.ts'

/** `app plugins rollback <generation>`: a new generation with an older one's plugin set (takes the writer lock). */
export function addPluginsRollbackCommand(plugins: Command): void {
  plugins
    .command('rollback')
    .description('publish a new generation with the plugin set of an older one')
    .argument('<generation>', 'generation id (see `app plugins generations`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const target = Number(id)
      if (!Number.isInteger(target) || target < 1)
        throw new AppError('USAGE', `generation must be a positive integer; found "${id}"`, { exitCode: ExitCode.usage })
      const { config, logger } = contextFromCommand(cmd)
      // The writer lock and the store on either backend (plugins.db, or PostgreSQL when database.url is set).
      const { store, close } = await openPublishTarget(config, 'app plugins rollback', logger)
      try {
        const exists = await store.generation(target)
        if (!exists) {
          const kept = (await store.listGenerations(5)).map((g) => g.id)
          throw new AppError(
            'GENERATION_NOT_FOUND',
            `generation ${target} is not in the store; recent generations: ${kept.join(', ') || 'none'}. Old generations are pruned after store.keepGenerations.`,
            { exitCode: ExitCode.runtime },
          )
        }
        const generation = await store.rollback(target)
        print(
          `published generation ${generation} with the plugins of generation ${target}; restart the roles (or run them with --reload) to load it`,
        )
      } finally {
        await close()
      }
    })
}
