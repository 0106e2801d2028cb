/**
 * The one place that maps a destination string to a Target implementation;
 * src/ never imports a concrete backend. Which strings mean what is decided
 * by parseDestination (rsync's own rules); here each kind finds its class.
 */
import { describe } from '../src/errors.js'
import { StemError } from '../src/exit-codes.js'
import type { TargetConfig } from '../src/config/types.js'
import type { Logger } from '../src/logger.js'
import type { Target } from './backend.js'
import { parseDestination, type Destination } from './parse-destination.js'
import { RsyncTarget } from './rsync-target.js'

export interface CreateTargetOptions {
  readonly log: Logger
  /** The environment the target's tools run with (default: stalk's own). */
  readonly env?: NodeJS.ProcessEnv
}

/** Schemes that will get their own target, but not yet. */
const PLANNED_SCHEMES: ReadonlySet<string> = new Set(['s3', 'sftp'])

/** Throws StemError(configInvalid) naming the label when the destination is not usable. */
export function createTarget (cfg: TargetConfig, o: CreateTargetOptions): Target {
  const where = `[target] ${cfg.label} = ${cfg.destination}`
  let dest: Destination
  try {
    dest = parseDestination(cfg.destination)
  } catch (err) {
    throw new StemError('configInvalid', `${where}: ${describe(err)}`, { cause: err })
  }
  if (dest.kind !== 'url') {
    return new RsyncTarget(cfg, dest, { log: o.log, ...(o.env === undefined ? {} : { env: o.env }) })
  }
  if (PLANNED_SCHEMES.has(dest.scheme)) {
    throw new StemError('configInvalid',
      `${where}: ${dest.scheme}:// targets are not supported yet; use a local path, [user@]host:/path or rsync://host/module/path`)
  }
  throw new StemError('configInvalid',
    `${where}: unknown scheme "${dest.scheme}://"; a target is a local path, [user@]host:/path or rsync://host/module/path`)
}
