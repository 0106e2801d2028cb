/**
 * The keys of s3:// and sftp:// targets, read from [target:LABEL] with
 * [global] as the default: the store keys (those of the s3:// and sftp://
 * pull origins, same meaning), `on_conflict` and `upload_concurrency`.
 * Secrets may come from `<key>_file` or STALK_TARGET_<LABEL>_<KEY>, as in
 * pull mode (pull-secrets.ts). Whether the store keys make sense (an
 * endpoint URL, a bucket name) is decided when the target is built
 * (backends/registry.ts), which names the target in its refusal.
 */
import { defaultStateBase, stateDirFor } from './config-paths.js'
import { applySecrets } from './pull-secrets.js'
import type { SectionReader } from './section-reader.js'
import type { TargetConfig } from './types.js'

/** Passed to the store as they are (after the secrets). */
export const STORE_KEYS: readonly string[] = [
  'endpoint', 'region', 'path_style', 'access_key_id', 'secret_access_key', 'session_token', 'checksums',
  'key_passphrase', 'strict_host_key_checking'
]

export const REMOTE_TARGET_KEYS: readonly string[] = [
  ...STORE_KEYS, 'access_key_id_file', 'secret_access_key_file', 'session_token_file', 'key_passphrase_file',
  'on_conflict', 'upload_concurrency'
]

const ON_CONFLICT = ['keep', 'stop', 'overwrite'] as const

function parseOnConflict (v: string): NonNullable<TargetConfig['onConflict']> {
  const found = ON_CONFLICT.find(x => x === v.trim().toLowerCase())
  if (found === undefined) throw new RangeError(`"${v}" must be keep, stop or overwrite`)
  return found
}

/** Whether a destination is a store target that reads these keys. */
export function isStoreDestination (destination: string): boolean {
  return /^(s3|sftp):\/\//i.test(destination)
}

export interface StoreContext {
  /** The config file's folder. */
  readonly dir: string
  readonly root: string
  readonly env: NodeJS.ProcessEnv
  /** The journal's folder; default as push-config.ts decides it for this process. */
  readonly stateDir?: string
}

/** The extra TargetConfig fields of a store target; `r` reads [target:LABEL] over [global]. */
export async function readStoreKeys (r: SectionReader, global: SectionReader, c: StoreContext): Promise<Partial<TargetConfig>> {
  const options = new Map<string, string>()
  for (const key of STORE_KEYS) {
    const v = r.string(key)
    if (v !== undefined) options.set(key, v)
  }
  await applySecrets(options, r, c.dir, c.env)
  const stateDir = c.stateDir ?? global.path('state_dir', c.dir) ??
    stateDirFor(defaultStateBase({ uid: process.getuid?.() ?? -1, env: c.env }), c.root)
  return {
    storeOptions: options,
    onConflict: r.convert('on_conflict', 'keep', parseOnConflict),
    uploadConcurrency: r.integer('upload_concurrency', 4, 1, 64),
    stateDir
  }
}
