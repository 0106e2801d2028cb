import { findMount } from '../mount/mountinfo.js'

export type StopSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP'
export type StopReason = StopSignal | 'unmounted'

const STOP_SIGNALS: readonly StopSignal[] = ['SIGTERM', 'SIGINT', 'SIGHUP']

/**
 * Resolves when the daemon should stop: a signal, or the mount disappeared
 * underneath us (`umount MOUNTPOINT`, `fusermount -u`), which libfuse 2 does
 * not report to the JS side. mountinfo is polled: it is read from the
 * kernel, never through our own mount, so a poll cannot deadlock on us.
 * A mount embedded in another program (the Node API) passes no signals:
 * the program owns its signals.
 */
export function waitForStop (mountpoint: string, pollMs = 500, signals: readonly StopSignal[] = STOP_SIGNALS): { stopped: Promise<StopReason>; cancel(): void } {
  let cancel = (): void => {}
  const stopped = new Promise<StopReason>(resolve => {
    const onSignal = (sig: StopReason) => () => { cleanup(); resolve(sig) }
    const handlers = signals.map(sig => [sig, onSignal(sig)] as const)
    for (const [sig, h] of handlers) process.once(sig, h)
    const timer = setInterval(() => {
      if (!findMount(mountpoint)) { cleanup(); resolve('unmounted') }
    }, pollMs)
    const cleanup = (): void => {
      clearInterval(timer)
      for (const [sig, h] of handlers) process.removeListener(sig, h)
    }
    cancel = cleanup
  })
  return { stopped, cancel: () => cancel() }
}
