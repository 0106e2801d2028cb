/**
 * Download speed of SftpBackend.fetch against OpenSSH's own `sftp get`, from
 * the same sshd on loopback, rounds interleaved so background load hits all
 * variants alike. Needs root (the test sshd); prints medians in MiB/s.
 *
 *   node --import=@tapjs/typescript/import bench/sftp-fetch.ts [rounds=7] [MiB=64]
 *
 * "cold" includes connecting (TCP, key exchange, login, sftp subsystem), as
 * `sftp get` does; "warm" reuses the backend's pooled connection.
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { SftpBackend } from '../backends/sftp-backend.js'
import { sshdUnavailable, startSshd, type SshdServer } from '../test/helpers/servers/sshd.js'
import { removeTree, tmpDir } from '../test/helpers/tmp.js'

const rounds = Number(process.argv[2] ?? 7)
const mib = Number(process.argv[3] ?? 64)

const skip = sshdUnavailable()
if (skip !== undefined) {
  console.error(`cannot run: ${skip}`)
  process.exit(2)
}
const dir = await tmpDir(undefined, 'stalk-sftp-bench-')
const sshd = await startSshd({ dir: join(dir, 'sshd') })
const remote = join(sshd.remoteDir, 'data.bin')
await writeFile(remote, randomBytes(mib * 1024 * 1024))
const out = join(dir, 'out.bin')

const options = (s: SshdServer) => ({ host: s.host, port: s.port, user: s.user, identityFile: s.keyFile, knownHostsFile: s.knownHostsFile })
const warm = new SftpBackend(options(sshd))
await warm.stat(remote)

const variants: Record<string, () => Promise<void>> = {
  'stalk fetch, warm': async () => { await warm.fetch(remote, out) },
  'stalk fetch, cold': async () => {
    const b = new SftpBackend(options(sshd))
    await b.fetch(remote, out)
    await b.close()
  },
  'sftp get (OpenSSH)': async () => {
    await promisify(execFile)('sftp', ['-q', '-F', sshd.sshConfigFile, `${sshd.hostAlias}:${remote}`, out])
  }
}

const samples = new Map<string, number[]>()
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of Object.entries(variants)) {
    await rm(out, { force: true })
    const t0 = performance.now()
    await run()
    samples.set(name, [...samples.get(name) ?? [], performance.now() - t0])
  }
}
console.log(`${mib} MiB over loopback, ${rounds} rounds, median (all samples in ms)`)
for (const [name, ms] of samples) {
  const sorted = [...ms].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN
  console.log(`${name.padEnd(20)} ${(mib / (median / 1000)).toFixed(0).padStart(5)} MiB/s  ${median.toFixed(0).padStart(5)} ms   ${sorted.map(x => x.toFixed(0)).join(' ')}`)
}
await warm.close()
await sshd.stop()
await removeTree(dir)
