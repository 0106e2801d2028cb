/**
 * The journal's meaning, in memory: per target, which paths are pending and
 * with which sequence number, and whether a full mirror is owed. Every change
 * goes through `apply`, both live and when replaying the log, so that what is
 * on disk and what is in memory cannot drift apart.
 */
import { JOURNAL_VERSION, type JournalEntry } from './journal-entry.js'

/** What a target has not received yet, as of sequence number `seq`. */
export interface PendingSnapshot extends ReadonlySet<string> {
  readonly label: string
  /** Everything recorded up to here is covered by this snapshot. */
  readonly seq: number
  /** The target needs a full mirror of root, not only these paths. */
  readonly all: boolean
}

class Snapshot extends Set<string> implements PendingSnapshot {
  constructor (paths: Iterable<string>, readonly label: string, readonly seq: number, readonly all: boolean) {
    super(paths)
  }
}

interface LabelState {
  /** Path → sequence number of its latest record. */
  readonly paths: Map<string, number>
  /** Sequence number of the latest "needs a full mirror", if one is owed. */
  allSeq: number | undefined
}

export class JournalState {
  seq = 0
  private readonly byLabel = new Map<string, LabelState>()

  constructor (labels: readonly string[]) {
    for (const l of labels) this.byLabel.set(l, { paths: new Map(), allSeq: undefined })
  }

  get labels (): readonly string[] {
    return [...this.byLabel.keys()]
  }

  has (label: string): boolean {
    return this.byLabel.has(label)
  }

  apply (e: JournalEntry): void {
    if ('s' in e) {
      this.seq = Math.max(this.seq, e.s)
      if ('all' in e) this.markAll(e.all, e.s)
      else this.record(e.p, e.s, e.l)
    } else if ('d' in e) {
      this.deliver(e.d, e.u, 'all' in e ? 'all' : e.p)
    } else if ('v' in e) {
      this.seq = Math.max(this.seq, e.seq)
    }
  }

  private record (path: string, s: number, only: readonly string[] | undefined): void {
    for (const [label, st] of this.byLabel) {
      if (only === undefined || only.includes(label)) st.paths.set(path, s)
    }
  }

  private markAll (label: string, s: number): void {
    const st = this.byLabel.get(label)
    if (st !== undefined) st.allSeq = s
  }

  private deliver (label: string, upTo: number, what: readonly string[] | 'all'): void {
    const st = this.byLabel.get(label)
    if (st === undefined) return
    // Only records up to the snapshot: a path written again during the round stays pending.
    const clear = (path: string): void => {
      const s = st.paths.get(path)
      if (s !== undefined && s <= upTo) st.paths.delete(path)
    }
    if (what === 'all') {
      if (st.allSeq !== undefined && st.allSeq <= upTo) st.allSeq = undefined
      for (const path of [...st.paths.keys()]) clear(path)
    } else {
      for (const path of what) clear(path)
    }
  }

  pending (label: string): PendingSnapshot {
    const st = this.byLabel.get(label)
    if (st === undefined) return new Snapshot([], label, this.seq, false)
    return new Snapshot(st.paths.keys(), label, this.seq, st.allSeq !== undefined)
  }

  count (label: string): { readonly paths: number; readonly all: boolean } {
    const st = this.byLabel.get(label)
    return { paths: st?.paths.size ?? 0, all: st?.allSeq !== undefined }
  }

  hasPending (): boolean {
    for (const st of this.byLabel.values()) if (st.paths.size > 0 || st.allSeq !== undefined) return true
    return false
  }

  /** The smallest log that rebuilds this state: what compaction writes. */
  *entries (): Generator<JournalEntry> {
    yield { v: JOURNAL_VERSION, labels: this.labels, seq: this.seq }
    // Grouped by (path, seq) so that targets holding different records of a path keep them exactly.
    const groups = new Map<string, { s: number; p: string; labels: string[] }>()
    for (const [label, st] of this.byLabel) {
      if (st.allSeq !== undefined) yield { s: st.allSeq, all: label }
      for (const [p, s] of st.paths) {
        const key = `${s}\0${p}`
        const g = groups.get(key)
        if (g === undefined) groups.set(key, { s, p, labels: [label] })
        else g.labels.push(label)
      }
    }
    const everyone = this.byLabel.size
    for (const { s, p, labels } of groups.values()) yield labels.length === everyone ? { s, p } : { s, p, l: labels }
  }
}
