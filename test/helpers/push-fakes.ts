/**
 * In-memory stand-ins for the push pipeline's collaborators: a Target whose
 * behaviour each test scripts, and a logger that keeps what was logged.
 */
import type { Target } from '../../backends/backend.js'
import type { Clock } from '../../src/push/clock.js'
import type { Logger, LogFn } from '../../src/logger.js'

export interface MirrorCall {
  readonly at: number
  /** Sorted paths, or 'all'. */
  readonly changed: readonly string[] | 'all'
  readonly signal: AbortSignal
}

/** What one mirror call does; the default succeeds at once. */
export type Behaviour = (signal: AbortSignal) => Promise<void>

export class FakeTarget implements Target {
  readonly destination: string
  readonly calls: MirrorCall[] = []
  /** Used in order, one per call; when empty, `otherwise`. */
  readonly script: Behaviour[] = []
  otherwise: Behaviour = async () => {}

  constructor (readonly label: string, private readonly clock: Clock, readonly order?: string[]) {
    this.destination = `fake:${label}`
  }

  async mirror (_root: string, changed: ReadonlySet<string> | 'all', o: { signal: AbortSignal }): Promise<void> {
    this.calls.push({ at: this.clock.now(), changed: changed === 'all' ? 'all' : [...changed].sort(), signal: o.signal })
    this.order?.push(`${this.label}.mirror`)
    const next = this.script.shift() ?? this.otherwise
    await next(o.signal)
  }

  async check (): Promise<void> {}
  async close (): Promise<void> {}
}

/** A call that waits until the test opens the gate. */
export function gate (): { behaviour: Behaviour; open: () => void } {
  let open = (): void => {}
  const opened = new Promise<void>(resolve => { open = resolve })
  return { behaviour: () => opened, open }
}

/** A call that never finishes and ignores its signal, like a hung ssh. */
export const hang: Behaviour = () => new Promise<void>(() => {})

export interface LogLine { readonly level: string; readonly msg: string; readonly obj: Record<string, unknown> }

export function recordingLogger (lines: LogLine[] = []): Logger & { readonly lines: LogLine[] } {
  const at = (level: string): LogFn => ((a: string | Record<string, unknown>, b?: string) => {
    lines.push(typeof a === 'string' ? { level, msg: a, obj: {} } : { level, msg: b ?? '', obj: a })
  }) as LogFn
  const log: Logger & { readonly lines: LogLine[] } = {
    lines,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    trace: at('trace'),
    child: () => log
  }
  return log
}
