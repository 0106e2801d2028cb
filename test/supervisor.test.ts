/**
 * The background daemon's supervisor, for real: `stem` starts a supervisor
 * that runs the mount in a worker. A worker killed after its mount was live
 * is replaced within seconds, and the write it had not synced yet reaches
 * the target through the new worker's startup round; six quick deaths make
 * the supervisor give up with the reason logged and no dead mount left; an
 * umount or a SIGTERM to the supervisor drains and ends both processes; a
 * refusal still ends `stem` with its code and nothing left running; `stem -f`
 * has no supervisor.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { ExitCode } from '../src/exit-codes.js'
import { findMount } from '../src/mount/mountinfo.js'
import { supervisorOf } from './helpers/daemon-tree.js'
import { fuseUnavailable } from './helpers/mount.js'
import { processesMentioning, waitForNoProcess } from './helpers/process-list.js'
import {
  daemonPid, fgMounted, mountStem, readJsonLines, recorderSection, runStem, stalkMount, startForeground, stemDirs,
  testGlobal, track, unmountStem, writeStemConfig, type StemDirs
} from './helpers/stem.js'
import { waitFor, waitForExit } from './helpers/wait-for.js'

interface Round { readonly reason: string; readonly changed: readonly string[] }
interface LogLine { readonly pid: number; readonly role?: string; readonly msg: string; readonly restartInMs?: number }

const skip = fuseUnavailable()

/** Push to a local target with a 10 min quiet time: nothing is synced unless a start, a stop or a restart does it. */
async function configure (d: StemDirs): Promise<void> {
  await writeStemConfig(d, { global: testGlobal(d, { timeout: 600 }), target: { local: d.target }, 'plugin:rounds': recorderSection(d) })
}

/** Background start; the worker (lock holder) and its supervisor, both tracked for teardown. */
async function start (t: Test, d: StemDirs, args: readonly string[] = []): Promise<{ worker: number; supervisor: number }> {
  const r = await mountStem(d, args)
  t.equal(r.code, 0, `mounted; stderr: ${r.stderr}`)
  if (r.pid === undefined) throw new Error(`no worker: ${r.stderr}`)
  const supervisor = await supervisorOf(r.pid)
  if (supervisor === undefined) throw new Error(`worker ${r.pid} has no supervisor`)
  track(d, supervisor)
  return { worker: r.pid, supervisor }
}

/** A worker other than `old` holds the state dir, mountinfo shows fuse.stalk and the FS answers; its pid. */
async function replaced (d: StemDirs, old: number, timeoutMs: number): Promise<number> {
  return await waitFor(`a worker other than ${old} serving ${d.mnt}`, async () => {
    const pid = await daemonPid(d)
    if (pid === undefined || pid === old || stalkMount(d.mnt) === undefined) return undefined
    await readdir(d.mnt)
    return pid
  }, { timeoutMs })
}

const logLines = async (d: StemDirs): Promise<LogLine[]> => readJsonLines<LogLine>(d.log)
const supervisorSaid = async (d: StemDirs, text: string): Promise<LogLine | undefined> =>
  (await logLines(d)).find(l => l.role === 'supervisor' && l.msg.includes(text))
const rounds = (d: StemDirs): Promise<Round[]> => readJsonLines<Round>(d.rounds)

t.test('a killed worker is replaced within seconds; its unsynced write arrives; umount ends both', { skip }, async t => {
  const d = await stemDirs(t)
  await configure(d)
  const { worker, supervisor } = await start(t, d, ['-v'])
  t.not(supervisor, worker, 'the supervisor is a process of its own')
  await waitFor('the first startup round', async () => (await rounds(d)).length >= 1)
  await writeFile(join(d.mnt, 'before-kill.txt'), 'journaled\n')
  // The journal commits within 50 ms; the quiet time keeps the file from being synced.
  await new Promise(resolve => setTimeout(resolve, 300))
  t.same(await readdir(d.target), [], 'not synced before the kill')

  const killedAt = Date.now()
  process.kill(worker, 'SIGKILL')
  await waitForExit(worker)
  const next = await replaced(d, worker, 10_000)
  t.ok(Date.now() - killedAt < 10_000, `live again after ${Date.now() - killedAt} ms`)
  t.equal(await supervisorOf(next), supervisor, 'started by the same supervisor')
  await waitFor('the write in the target', async () => (await readFile(join(d.target, 'before-kill.txt'), 'utf8').catch(() => '')) === 'journaled\n')
  // The recorder writes its line after the target took the round.
  const second = (await waitFor('the new worker\'s first round', async () => (await rounds(d))[1]))
  t.equal(second.reason, 'startup', 'delivered by the new worker\'s startup round, not after the 10 min quiet time')
  t.ok(second.changed.includes('before-kill.txt'), 'which carried the journaled path')
  t.ok(await supervisorSaid(d, 'the worker died (killed by SIGKILL)'), 'the supervisor logged the death')
  t.ok(await supervisorSaid(d, 'detached the dead mount'), 'and the clean-up')
  t.ok(await supervisorSaid(d, `restarted: ${d.mnt} is live again`), 'and the restart')

  await unmountStem(d, next)
  await waitForExit(supervisor, 5000)
  t.ok(await supervisorSaid(d, 'the worker exited (exit code 0); the supervisor exits too'), 'the worker drained and exited 0')
  t.same(await waitForNoProcess(d.config), [], 'no process of the daemon is left')
  t.equal(findMount(d.mnt), undefined, 'nothing mounted')
})

t.test('six quick deaths: the supervisor gives up, says why, and leaves no dead mount', { skip }, async t => {
  const d = await stemDirs(t)
  await configure(d)
  const { worker, supervisor } = await start(t, d)
  let current = worker
  for (let death = 1; death <= 6; death++) {
    process.kill(current, 'SIGKILL')
    await waitForExit(current)
    // Backoff before the restart after death n: 2^(n-1) s.
    if (death < 6) current = await replaced(d, current, 2 ** (death - 1) * 1000 + 15_000)
  }
  await waitForExit(supervisor, 15_000)
  const lines = (await logLines(d)).filter(l => l.role === 'supervisor')
  t.same(lines.flatMap(l => l.restartInMs ?? []), [1000, 2000, 4000, 8000, 16_000], 'restarts backed off 1, 2, 4, 8, 16 s')
  t.ok(lines.some(l => l.msg.includes('giving up: the worker died 6 times within 10 min (at most 5 restarts)')), 'the give-up is logged with its reason')
  t.equal(findMount(d.mnt), undefined, 'no dead mount left')
  t.same(await readdir(d.mnt), [], 'the mountpoint is a plain empty folder again')
  t.same(await waitForNoProcess(d.config), [], 'no process of the daemon is left')
})

t.test('SIGTERM to the supervisor: the worker drains, both exit', { skip }, async t => {
  const d = await stemDirs(t)
  await configure(d)
  const { worker, supervisor } = await start(t, d)
  await waitFor('the first startup round', async () => (await rounds(d)).length >= 1)
  await writeFile(join(d.mnt, 'pending.txt'), 'drained\n')
  process.kill(supervisor, 'SIGTERM')
  await waitForExit(worker, 20_000)
  await waitForExit(supervisor, 5000)
  t.equal(await readFile(join(d.target, 'pending.txt'), 'utf8').catch(() => ''), 'drained\n', 'the pending write was delivered')
  t.match((await rounds(d)).at(-1), { reason: 'shutdown' }, 'by the final round')
  t.equal(findMount(d.mnt), undefined, 'unmounted')
  t.same(await waitForNoProcess(d.config), [], 'no process of the daemon is left')
  t.notOk(await supervisorSaid(d, 'restarting'), 'nothing was restarted')
})

t.test('a refusal is still reported by stem with its code, and nothing is left running', { skip }, async t => {
  const d = await stemDirs(t)
  await writeFile(d.config, `[global]\nroot: ${d.root}\nstate_dir: ${d.state}\ntimeout 10\n[target]\nlocal: ${d.target}\n`)
  const r = await runStem(['-c', d.config, d.mnt])
  t.equal(r.code, ExitCode.configSyntax, `exit 4; stderr: ${r.stderr}`)
  t.match(r.stderr, new RegExp(`^stem: ${d.config}:4: [^\\n]*timeout 10"\\n$`), 'the worker\'s reason, once')
  t.same(await processesMentioning(d.config), [], 'no supervisor or worker runs when stem has returned')
  t.equal(findMount(d.mnt), undefined, 'nothing mounted')
})

t.test('stem -f runs the mount itself, unsupervised', { skip }, async t => {
  const d = await stemDirs(t)
  await configure(d)
  const fg = startForeground(d)
  await fgMounted(d, fg)
  t.equal(await daemonPid(d), fg.pid, 'the -f process holds the state dir')
  t.equal(await supervisorOf(fg.pid), undefined, 'and has no supervisor')
  // The startup round ran: the daemon is past installing its signal handlers.
  await waitFor('the first startup round', async () => (await rounds(d)).length >= 1)
  process.kill(fg.pid, 'SIGTERM')
  t.equal((await fg.exited).code, 0, 'SIGTERM: drained, exit 0')
})
