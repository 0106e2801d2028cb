/**
 * The push target for an `s3://bucket[/prefix]` destination: root's files
 * become objects `prefix/<path in root>`; without a prefix, the whole
 * bucket is the mirror (and objects outside root are deleted from it).
 * Its keys (endpoint, region, path_style, credentials, checksums) mean what
 * they mean for an s3:// pull origin and are read by the same code
 * (s3-origin.ts); its client is built the same way (s3-client.ts:
 * keep-alive pool, time limits, when_required checksums). The store is
 * s3-store.ts, the mirror engine remote-target.ts.
 */
import type { S3Client } from '@aws-sdk/client-s3'
import type { TargetConfig } from '../src/config/types.js'
import { BackendError, describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import { DEFAULT_UPLOAD_CONCURRENCY, RemoteTarget } from './remote-target.js'
import type { S3BackendSettings } from './s3-backend.js'
import { createS3Client } from './s3-client.js'
import { parseS3Origin } from './s3-origin.js'
import { S3Store } from './s3-store.js'
import { stateFileFor } from './target-state.js'

export interface S3Destination {
  readonly settings: S3BackendSettings
  /** "" or ending in '/': "mirror/yum/". */
  readonly prefix: string
}

export interface S3TargetOptions {
  readonly log: Logger
  /** A client built elsewhere (tests count requests with its middleware); default: one from the config. */
  readonly client?: S3Client
}

/** Throws BackendError('invalid') when the destination or its keys are not usable. */
export function createS3Target (cfg: TargetConfig, o: S3TargetOptions): RemoteTarget {
  const destination = parseS3Destination(cfg.destination, cfg.storeOptions ?? new Map())
  const concurrency = cfg.uploadConcurrency ?? DEFAULT_UPLOAD_CONCURRENCY
  const log = o.log
  const client = o.client ?? createS3Client({
    ...destination.settings,
    // Long transfers: the target's own timeout bounds a whole mirror; this only catches a silent connection.
    timeouts: { headersMs: 120_000, idleMs: 120_000 }
  }, log)
  return new RemoteTarget({
    label: cfg.label,
    store: new S3Store({ destination, client, concurrency, log }),
    ...(cfg.stateDir === undefined ? {} : { stateFile: stateFileFor(cfg.stateDir, cfg.label) }),
    onConflict: cfg.onConflict ?? 'keep',
    concurrency,
    log
  })
}

/**
 * Bucket, prefix and client settings. Pure: no network, no environment.
 * Refusals do not repeat the destination: the registry's message names the
 * target and its destination already.
 */
export function parseS3Destination (destination: string, options: ReadonlyMap<string, string>): S3Destination {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(destination)
  const bucket = m?.[1] ?? ''
  const rest = (m?.[2] ?? '').replace(/\/+$/, '')
  if (rest.split('/').some((part, _i, all) => part === '' && all.length > 1)) {
    throw new BackendError('invalid', 'empty folder name in the prefix ("//")')
  }
  if (rest.split('/').some(part => part === '.' || part === '..')) {
    throw new BackendError('invalid', '"." and ".." are not allowed in the prefix')
  }
  // The origin parser checks the bucket name and reads every client key; the placeholder key is never used.
  let settings: S3BackendSettings
  try {
    settings = parseS3Origin(`s3://${bucket}/placeholder`, options).settings
  } catch (err) {
    const why = describe(err).replace(/^origin s3:\/\/\S*: /, '').replace('s3://bucket/key', 's3://bucket/prefix')
    throw new BackendError('invalid', why, { cause: err })
  }
  return { settings, prefix: rest === '' ? '' : `${rest}/` }
}
