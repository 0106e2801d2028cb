/**
 * Closes plugins in the reverse order of loading (a later plugin may rely on
 * an earlier one). A failing close is logged, never thrown: the others still
 * deserve their close, and the caller is usually on its way out already.
 */
import type { Logger, StalkPlugin } from '../../plugins/api.js'
import { messageOf } from './plugin-load-error.js'

export async function closePlugins (plugins: readonly StalkPlugin[], log: Logger): Promise<void> {
  for (const p of [...plugins].reverse()) {
    try {
      await p.close?.()
    } catch (err) {
      log.warn({ plugin: p.name, err: messageOf(err) }, 'plugin close failed')
    }
  }
}
