/**
 * What a remote target last delivered, per path: the local file's size,
 * times and mode as they were when it was sent, and the version the store
 * then had (ETag, or size+mtime). It lets a mirror skip files that did not
 * change without asking the store, and notice when the store's copy was
 * changed by someone else (a conflict) rather than overwrite it.
 *
 * Kept in memory and written, after every mirror, to one JSON file per
 * target in the state dir (temp file, fsync, rename). A missing or
 * unreadable file, one written for another destination, or one saved before
 * any full comparison had succeeded, makes the state `fresh`: the target
 * then compares against a full remote listing, whatever it was asked.
 */
import { createHash } from 'node:crypto'
import { mkdir, open, readFile, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { describe } from '../src/errors.js'
import type { Logger } from '../src/logger.js'
import type { EntryType, RemoteVersion } from './remote-store.js'

export interface DeliveredEntry {
  readonly type: EntryType
  readonly size?: number
  readonly mtimeNs?: string
  readonly ctimeNs?: string
  readonly mode?: number
  readonly target?: string
  /** Files: the store's version right after the upload. */
  readonly remote?: RemoteVersion
}

interface StateFile {
  readonly version: 1
  readonly destination: string
  /** A full comparison with the store has succeeded since the entries began. */
  readonly compared: boolean
  readonly entries: Record<string, DeliveredEntry>
}

/** `<stateDir>/target-<label>-<hash>.json`: the label made safe for a file name, the hash keeps odd labels apart. */
export function stateFileFor (stateDir: string, label: string): string {
  const safe = label.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 60)
  return join(stateDir, `target-${safe}-${createHash('sha256').update(label).digest('hex').slice(0, 8)}.json`)
}

export class TargetState {
  readonly entries: Map<string, DeliveredEntry>
  /** True until a full comparison succeeded: what the store holds beyond `entries` is unknown. */
  fresh: boolean

  private constructor (private readonly file: string | undefined, private readonly destination: string,
    entries: Map<string, DeliveredEntry>, fresh: boolean) {
    this.entries = entries
    this.fresh = fresh
  }

  /** Without `file` the state lives in memory only (and every start is fresh). */
  static async load (file: string | undefined, destination: string, log: Logger): Promise<TargetState> {
    if (file === undefined) return new TargetState(undefined, destination, new Map(), true)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') log.warn({ file, err: describe(err) }, 'target state unreadable; comparing against a full listing')
      return new TargetState(file, destination, new Map(), true)
    }
    const parsed = parse(text)
    if (parsed === undefined || parsed.destination !== destination) {
      log.info({ file }, parsed === undefined
        ? 'target state is not a state file stalk can read; comparing against a full listing'
        : `target state was written for ${parsed.destination}; comparing against a full listing of ${destination}`)
      return new TargetState(file, destination, new Map(), true)
    }
    return new TargetState(file, destination, new Map(Object.entries(parsed.entries)), !parsed.compared)
  }

  /** Writes the state atomically; a crash leaves the previous file. */
  async save (): Promise<void> {
    if (this.file === undefined) return
    const body: StateFile = {
      version: 1, destination: this.destination, compared: !this.fresh, entries: Object.fromEntries(this.entries)
    }
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 })
    const tmp = `${this.file}.tmp`
    const fh = await open(tmp, 'w', 0o600)
    try {
      await fh.writeFile(JSON.stringify(body))
      await fh.sync()
    } finally {
      await fh.close()
    }
    await rename(tmp, this.file)
  }
}

function parse (text: string): StateFile | undefined {
  try {
    const v = JSON.parse(text) as Partial<StateFile> | null
    if (v?.version !== 1 || typeof v.destination !== 'string' || typeof v.compared !== 'boolean' ||
      typeof v.entries !== 'object' || v.entries === null) return undefined
    return v as StateFile
  } catch {
    return undefined
  }
}
