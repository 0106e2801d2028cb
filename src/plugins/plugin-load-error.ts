/**
 * The one error for a plugin that stalk cannot start. It names the config
 * file, the section and the `name` value, says which step failed and, for a
 * plugin that was not found, every place that was looked at. It ends `stem`
 * with the exit code pluginFailed.
 */
import { StemError } from '../exit-codes.js'

export type PluginLoadFailure =
  /** No built-in, file or package of that name. */
  | 'not-found'
  /** The module was found but importing it threw. */
  | 'import-failed'
  /** The module exports no factory, or the factory returned no valid plugin. */
  | 'bad-shape'
  /** The factory threw (often a bad option). */
  | 'factory-failed'
  /** The plugin's init hook threw. */
  | 'init-failed'

export interface PluginLoadErrorInfo {
  readonly configFile: string
  readonly section: string
  readonly pluginName: string
  readonly failure: PluginLoadFailure
  readonly detail: string
  readonly tried?: readonly string[]
  readonly cause?: unknown
}

export class PluginLoadError extends StemError {
  readonly section: string
  readonly pluginName: string
  readonly failure: PluginLoadFailure
  /** Files and package folders looked at, in order (only for not-found). */
  readonly tried: readonly string[]

  constructor (info: PluginLoadErrorInfo) {
    super('pluginFailed', `${info.configFile} [${info.section}] name = ${info.pluginName}: ${info.detail}`,
      info.cause === undefined ? undefined : { cause: info.cause })
    this.name = 'PluginLoadError'
    this.section = info.section
    this.pluginName = info.pluginName
    this.failure = info.failure
    this.tried = info.tried ?? []
  }
}

/** The message of anything thrown, for embedding in a one-line reason. */
export function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
