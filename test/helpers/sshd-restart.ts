/**
 * A test sshd (servers/sshd.ts) that can be taken down and brought back on
 * the same port with the same host key, the way a real target host goes
 * away and returns: a push target configured for it must keep its changes
 * while it is down and deliver them once it answers again.
 *
 *   const s = await restartableSshd(t)   // running; stopped and removed when t ends
 *   await s.down(); …; await s.up()
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import type { Test } from 'tap'
import { findTool } from './servers/find-tool.js'
import { startSshd, type SshdServer } from './servers/sshd.js'
import { tmpDir } from './tmp.js'
import { waitFor } from './wait-for.js'

export interface RestartableSshd {
  readonly server: SshdServer
  down(): Promise<void>
  up(): Promise<void>
}

export async function restartableSshd (t: Test): Promise<RestartableSshd> {
  const dir = await tmpDir(t, 'stalk-sshd-')
  const server = await startSshd({ dir })
  let child: ChildProcess | undefined
  const down = async (): Promise<void> => {
    await server.stop()
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise(resolve => child?.once('exit', resolve))
      child.kill('SIGKILL')
      await gone
    }
    child = undefined
  }
  const up = async (): Promise<void> => {
    if (child !== undefined) return
    const log = openSync(join(dir, 'sshd.log'), 'a')
    // The config written by startSshd names the port, host key and authorized keys.
    child = spawn(findTool('sshd', 'openssh-server'), ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', log, log] })
    closeSync(log)
    const started = child
    await waitFor(`sshd back on port ${server.port}`, async () => {
      if (started.exitCode !== null) throw new Error(`sshd exited with ${started.exitCode} (port taken?)`)
      return (await greeting(server.port)).startsWith('SSH-2.0-')
    }, { timeoutMs: 10_000 })
  }
  t.teardown(down)
  return { server, down, up }
}

function greeting (port: number): Promise<string> {
  return new Promise(resolve => {
    const sock = connect({ host: '127.0.0.1', port })
    const done = (s: string): void => { sock.destroy(); resolve(s) }
    sock.setTimeout(2000, () => { done('') })
    sock.once('error', () => { done('') })
    sock.once('data', (b: Buffer) => { done(b.toString('latin1')) })
  })
}
