// @ts-check
/**
 * stalk-plugin-example: after every sync round, appends one JSON line to a
 * log file: when, why, which paths changed and how each target did.
 *
 *   [plugin]
 *   name = example              (or a path: ./example-plugin)
 *   file = /var/log/stalk/rounds.jsonl   (relative paths start at the config file's folder)
 *
 * It imports nothing from stalk at run time: `definePlugin` is the identity,
 * so the JSDoc type below gives editors and `tsc --checkJs` the same checks
 * without making stalk a run-time dependency.
 */
import { appendFile, mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'

/** @type {import('stalk/plugin').PluginFactory} */
export const plugin = (options, ctx) => {
  const name = options.get('file')
  if (name === undefined || name.trim() === '') {
    // thrown from the factory: stalk refuses to mount and names this section
    throw new Error('the key "file" is required: where to append the round log')
  }
  const file = resolve(ctx.configDir, name.trim())

  return {
    apiVersion: 1,
    name: 'example',

    // fail at mount time, not at the first sync, when the log cannot be written
    async init () {
      await mkdir(dirname(file), { recursive: true })
      await appendFile(file, '')
    },

    async afterSync (e) {
      const line = {
        time: new Date().toISOString(),
        reason: e.reason,
        changed: [...e.changed].sort(),
        results: e.results.map(r => ({ target: r.target, ok: r.ok, durationMs: r.durationMs, error: r.error }))
      }
      await appendFile(file, JSON.stringify(line) + '\n')
      ctx.log.debug({ file, changed: line.changed.length }, 'round logged')
    }
  }
}
