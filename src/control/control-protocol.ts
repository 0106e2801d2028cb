/**
 * The control socket's protocol: newline-delimited JSON, one object per
 * line, any number of requests per connection. Every request carries an
 * id and its response the same id, so a long `sync` with wait does not hold
 * back a `status` asked after it on the same connection.
 *
 *   → {"id":1,"cmd":"ping"}                 ← {"id":1,"ok":true,"result":{"pong":true,"pid":123,"protocol":1}}
 *   → {"id":2,"cmd":"status"}               ← {"id":2,"ok":true,"result":{…StatusReport}}
 *   → {"id":3,"cmd":"sync","wait":true}     ← {"id":3,"ok":true,"result":{…SyncOutcome}}
 *   → {"id":4,"cmd":"refresh","names":["motd"]}  ← {"id":4,"ok":true,"result":{…RefreshResult}}
 *   → anything else                         ← {"id":…,"ok":false,"error":"…"}
 */

import { StringDecoder } from 'node:string_decoder'

export const PROTOCOL_VERSION = 1

/** A line longer than this is not a request of ours; the connection is dropped. */
export const MAX_LINE_BYTES = 64 * 1024

export type ControlCommand = 'ping' | 'status' | 'sync' | 'refresh'

/** refresh: names (or paths inside a directory origin) of the pull mount; none = everything. */
export const MAX_REFRESH_NAMES = 1000

export interface ControlRequest {
  readonly id: number
  readonly cmd: ControlCommand
  /** sync: answer when the round is done rather than when it started. */
  readonly wait?: boolean
  /** refresh: what to mark stale; absent or empty = every cached file. */
  readonly names?: readonly string[]
}

export type ControlResponse =
  | { readonly id: number | null; readonly ok: true; readonly result: unknown }
  | { readonly id: number | null; readonly ok: false; readonly error: string }

export interface PingResult { readonly pong: true; readonly pid: number; readonly protocol: number }

const COMMANDS: ReadonlySet<string> = new Set<ControlCommand>(['ping', 'status', 'sync', 'refresh'])

/** A request from one line, or the reason it is not one (with its id when that much was readable). */
export function parseRequest (line: string): ControlRequest | { readonly id: number | null; readonly error: string } {
  let v: unknown
  try { v = JSON.parse(line) } catch { return { id: null, error: 'not JSON' } }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { id: null, error: 'a request is a JSON object' }
  const o = v as Record<string, unknown>
  const id = typeof o['id'] === 'number' && Number.isSafeInteger(o['id']) ? o['id'] : null
  if (id === null) return { id: null, error: 'the request has no integer "id"' }
  const cmd = o['cmd']
  if (typeof cmd !== 'string' || !COMMANDS.has(cmd)) return { id, error: `unknown cmd ${JSON.stringify(cmd)} (ping, status, sync, refresh)` }
  const wait = o['wait']
  if (wait !== undefined && typeof wait !== 'boolean') return { id, error: '"wait" must be true or false' }
  const names = o['names']
  if (names !== undefined && !isNameList(names)) return { id, error: `"names" must be a list of at most ${MAX_REFRESH_NAMES} strings` }
  return { id, cmd: cmd as ControlCommand, ...(wait === undefined ? {} : { wait }), ...(names === undefined ? {} : { names }) }
}

function isNameList (v: unknown): v is readonly string[] {
  return Array.isArray(v) && v.length <= MAX_REFRESH_NAMES && v.every(n => typeof n === 'string')
}

export function isRequest (r: ReturnType<typeof parseRequest>): r is ControlRequest {
  return 'cmd' in r
}

/** A response from one line; throws when the line is not one. */
export function parseResponse (line: string): ControlResponse {
  const v = JSON.parse(line) as unknown
  if (typeof v !== 'object' || v === null) throw new Error('the daemon answered something that is not a JSON object')
  const o = v as Record<string, unknown>
  const id = typeof o['id'] === 'number' ? o['id'] : null
  if (o['ok'] === true) return { id, ok: true, result: o['result'] }
  return { id, ok: false, error: typeof o['error'] === 'string' ? o['error'] : 'the daemon refused the request without a reason' }
}

/** Splits a byte stream into lines; refuses a line past MAX_LINE_BYTES instead of buffering it without end. */
export class LineSplitter {
  #rest = ''
  // A multi-byte character may straddle two chunks.
  readonly #decoder = new StringDecoder('utf8')

  constructor (private readonly onLine: (line: string) => void) {}

  /** Returns false when the peer sent an over-long line (the caller drops the connection). */
  push (chunk: Buffer): boolean {
    this.#rest += this.#decoder.write(chunk)
    let nl = this.#rest.indexOf('\n')
    while (nl >= 0) {
      const line = this.#rest.slice(0, nl).trim()
      this.#rest = this.#rest.slice(nl + 1)
      if (line !== '') this.onLine(line)
      nl = this.#rest.indexOf('\n')
    }
    return Buffer.byteLength(this.#rest) <= MAX_LINE_BYTES
  }
}
