/**
 * Reads an `s3://bucket/key` origin and the S3 keys of its config section
 * into S3Backend settings, the object key, and a pool key: file sections
 * with the same pool key share one S3Backend (one client, one connection
 * pool). Keys are read from the file's section, falling back to [global].
 *
 * The key is taken literally, as the AWS CLI does: no percent-decoding, and
 * '?', '#', '%' and spaces are part of it, because S3 keys may contain them.
 * Pure: no network, no environment (secrets from `*_file` or STALK_… are
 * already in `options`, see src/config/pull-secrets.ts).
 */
import { createHash } from 'node:crypto'
import { BackendError } from '../src/errors.js'
import type { S3BackendSettings } from './s3-backend.js'
import type { S3ChecksumMode, S3Credentials } from './s3-client.js'

export interface S3Origin {
  /** Equal for origins that may share one S3Backend; holds no secret. */
  readonly key: string
  readonly settings: S3BackendSettings
  /** The object key: no leading '/'. For a folder origin the prefix: '' (the whole bucket) or ending in '/'. */
  readonly path: string
}

/** The keys an s3:// origin reads, for the config reference and unknown-key checks. */
export const S3_OPTION_KEYS: readonly string[] = [
  'endpoint', 'region', 'path_style', 'access_key_id', 'secret_access_key', 'session_token', 'checksums'
]

type Options = ReadonlyMap<string, string>

/** `folder`: the origin names a folder (s3://bucket/prefix/ or s3://bucket/), served as a directory tree. */
export function parseS3Origin (origin: string, options: Options, global: Options = new Map(), folder = false): S3Origin {
  const fail = (why: string): BackendError => new BackendError('invalid', `origin ${origin}: ${why}`)
  const { bucket, path } = splitOrigin(origin, fail, folder)
  const get = (k: string): string | undefined => nonEmpty(options.get(k)) ?? nonEmpty(global.get(k))
  const endpoint = readEndpoint(get('endpoint'), fail)
  const region = get('region')
  const pathStyle = readYesNo(get('path_style'), endpoint !== undefined, fail)
  const credentials = readCredentials(get, fail)
  const checksums = readChecksums(get('checksums'), fail)
  const settings: S3BackendSettings = {
    bucket, pathStyle, checksums,
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(region === undefined ? {} : { region }),
    ...(credentials === undefined ? {} : { credentials })
  }
  return { key: poolKey(settings), settings, path }
}

function splitOrigin (origin: string, fail: (why: string) => BackendError, folder: boolean): { bucket: string; path: string } {
  const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/is.exec(origin)
  if (m === null) throw fail('not an s3://bucket/key origin')
  const bucket = m[1] ?? ''
  const path = m[2] ?? ''
  if (bucket === '') throw fail('no bucket: write s3://bucket/key')
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(bucket)) {
    throw fail(`"${bucket}" is not a bucket name (a host or port goes in endpoint = http://host:port)`)
  }
  if (folder) {
    if (path !== '' && !path.endsWith('/')) throw fail(`a folder origin ends in "/": write s3://${bucket}/${path}/`)
    return { bucket, path }
  }
  if (path === '') throw fail(`no object key after the bucket: write s3://${bucket}/path/to/object`)
  if (path.endsWith('/')) throw fail('a key ending in "/" names a folder, not an object')
  return { bucket, path }
}

function readEndpoint (v: string | undefined, fail: (why: string) => BackendError): string | undefined {
  if (v === undefined) return undefined
  let url: URL
  try {
    url = new URL(v)
  } catch {
    throw fail(`endpoint "${v}" is not a URL (http://host:port or https://host)`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`endpoint "${v}" must be http:// or https://`)
  if (url.username !== '' || url.password !== '') throw fail('endpoint must not hold credentials: use access_key_id and secret_access_key')
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw fail(`endpoint "${v}" must be only scheme, host and port`)
  return url.origin
}

function readYesNo (v: string | undefined, dflt: boolean, fail: (why: string) => BackendError): boolean {
  if (v === undefined) return dflt
  const t = v.toLowerCase()
  if (['yes', 'true', 'on', '1'].includes(t)) return true
  if (['no', 'false', 'off', '0'].includes(t)) return false
  throw fail(`path_style "${v}" is not a boolean (yes/no, true/false, on/off, 1/0)`)
}

function readCredentials (get: (k: string) => string | undefined, fail: (why: string) => BackendError): S3Credentials | undefined {
  const accessKeyId = get('access_key_id')
  const secretAccessKey = get('secret_access_key')
  const sessionToken = get('session_token')
  if (accessKeyId === undefined && secretAccessKey === undefined) {
    if (sessionToken !== undefined) throw fail('session_token needs access_key_id and secret_access_key')
    return undefined
  }
  if (accessKeyId === undefined) throw fail('secret_access_key is set but access_key_id is not')
  if (secretAccessKey === undefined) throw fail('access_key_id is set but secret_access_key is not')
  return { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) }
}

function readChecksums (v: string | undefined, fail: (why: string) => BackendError): S3ChecksumMode {
  const t = (v ?? 'when_required').toLowerCase().replace(/-/g, '_')
  if (t === 'when_required' || t === 'when_supported') return t
  throw fail(`checksums "${v ?? ''}" must be when_required or when_supported`)
}

/**
 * Everything that makes a different client; the credentials by key id plus
 * a short hash, so two sections with different secrets do not share a
 * client, and the secret itself never appears.
 */
function poolKey (s: S3BackendSettings): string {
  const c = s.credentials
  const who = c === undefined
    ? 'default-chain'
    : `${c.accessKeyId}#${createHash('sha256').update(`${c.secretAccessKey}\0${c.sessionToken ?? ''}`).digest('hex').slice(0, 12)}`
  return ['s3', s.endpoint ?? 'aws', s.region ?? '', s.pathStyle === true ? 'path' : 'host', s.checksums ?? '', who, s.bucket].join(' ')
}

function nonEmpty (v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v
}
