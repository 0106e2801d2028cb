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
import { createS3Target } from './s3-target.js'
import { createSftpTarget } from './sftp-target.js'

export interface CreateTargetOptions {
  readonly log: Logger
  /** The environment the target's tools run with (default: stalk's own). */
  readonly env?: NodeJS.ProcessEnv
}

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
  if (dest.scheme === 's3' || dest.scheme === 'sftp') return storeTarget(dest.scheme, cfg, o.log, where)
  throw new StemError('configInvalid',
    `${where}: unknown scheme "${dest.scheme}://"; a target is a local path, [user@]host:/path, rsync://host/module/path, ` +
    's3://bucket/prefix or sftp://[user@]host[:port]/path')
}

/** An s3:// or sftp:// target; a destination or key it cannot use is a config error naming the target. */
function storeTarget (scheme: 's3' | 'sftp', cfg: TargetConfig, log: Logger, where: string): Target {
  try {
    return scheme === 's3' ? createS3Target(cfg, { log }) : createSftpTarget(cfg, { log })
  } catch (err) {
    throw new StemError('configInvalid', `${where}: ${describe(err)}`, { cause: err })
  }
}
