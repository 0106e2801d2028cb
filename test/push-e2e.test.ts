/**
 * Push mode end to end, as a user runs it: `stem` mounts in the background,
 * a tree written through the mount reaches a local target and an ssh target
 * (a real sshd) identical in content, modes, mtimes, symlinks and hard links
 * after the quiet time; deletes and renames follow; each round carries
 * exactly the paths changed since the last one; reading never causes a round;
 * the command plugin gets its arguments in key order with root last.
 */
import { readFile, writeFile, chmod } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import {
  mountStem, readJsonLines, recorderSection, stemDirs, testGlobal, unmountStem, writeStemConfig, type StemDirs
} from './helpers/stem.js'
import { snapshotTree, type TreeSnapshot } from './helpers/tree-snapshot.js'
import { waitFor } from './helpers/wait-for.js'

interface Round { readonly reason: string; readonly changed: readonly string[]; readonly results: ReadonlyArray<{ target: string; ok: boolean }> }

const sh = async (cwd: string, script: string): Promise<string> => (await promisify(execFile)('sh', ['-ec', script], { cwd })).stdout

const ODD = 'with space ünïcødé ✓.txt'

const BUILD = `
mkdir -p deep/er/est empty d
printf 'a\\n' > a
printf 'b\\n' > d/b
printf 'nested\\n' > deep/er/est/leaf.txt
ln -s deep/er/est/leaf.txt link
ln -s does/not/exist dangling
ln a d/hard-a
head -c 3145728 /dev/urandom > big.bin
printf 'odd name\\n' > '${ODD}'
printf '#!/bin/sh\\n' > run.sh
chmod 0755 run.sh
chmod 0600 d/b
chmod 0750 deep/er
touch -d '2001-02-03 04:05:06.123456789' a
touch -d '2010-06-07 08:09:10' '${ODD}' deep/er/est
`

const CHANGE = `
rm link
mv deep/er moved-er
rm d/hard-a
mv big.bin 'big renamed.bin'
rmdir empty
`

/** Every file read, stat'ed and listed through the mount: none of it may start a round. */
const READ_ONLY = `
ls -laR . > /dev/null
find . -type f -exec cat {} + > /dev/null
find . -exec stat {} + > /dev/null
find . -type f -exec sha256sum {} + > /dev/null
readlink moved-er/est/leaf.txt dangling > /dev/null || true
du -a . > /dev/null
test -r a
`

function toMs (s: TreeSnapshot): TreeSnapshot {
  return Object.fromEntries(Object.entries(s).map(([p, e]) => [p, { ...e, mtimeNs: e.mtimeNs?.slice(0, -6) ?? '' }]))
}

const skip = fuseUnavailable() || (sshdUnavailable() ?? false)

async function mirrorsMatch (t: Test, d: StemDirs, remote: string, what: string): Promise<void> {
  const want = await snapshotTree(d.root)
  t.same(await snapshotTree(d.target), want, `${what}: the local target equals root`)
  t.same(await snapshotTree(remote), want, `${what}: the ssh target equals root`)
}

t.test('a tree written through the mount reaches a local and an ssh target', { skip }, async t => {
  const sshd = await startSshd(t)
  const d = await stemDirs(t)
  const remote = join(sshd.remoteDir, 'mirror')
  const argvScript = join(d.base, 'argv.sh')
  await writeFile(argvScript, '#!/bin/sh\nprintf \'%s\\n\' "$@" > "$0.out"\n')
  await chmod(argvScript, 0o755)
  await writeStemConfig(d, {
    global: testGlobal(d, { ssh_port: sshd.port, ssh_key: sshd.keyFile, ssh_known_hosts: sshd.knownHostsFile }),
    target: { local: d.target, remote: `root@127.0.0.1:${remote}` },
    'plugin:argv': { name: 'command', command: argvScript, z: 'last', a: 'first', m: '\'two words\' middle' },
    'plugin:rounds': recorderSection(d)
  })
  const r = await mountStem(d, ['-v'])
  t.equal(r.code, 0, `mounted; stderr: ${r.stderr}`)
  const rounds = async (n: number): Promise<Round[]> =>
    waitFor(`round ${n}`, async () => { const l = await readJsonLines<Round>(d.rounds); return l.length >= n && l })
  const first = await rounds(1)
  t.match(first[0], { reason: 'startup', changed: [] }, 'a fresh journal owes each target one full mirror at once')

  await sh(d.mnt, BUILD)
  const built = (await rounds(2))[1]
  const all = Object.keys(await snapshotTree(d.root)).filter(p => p !== '.').sort()
  t.match(built, { reason: 'quiet' }, 'the round came after the quiet time')
  t.same(built?.changed, all, 'round 2 carries every path that was made')
  t.same(built?.results, [{ target: 'local', ok: true }, { target: 'remote', ok: true }], 'both targets took it')
  await mirrorsMatch(t, d, remote, 'after building')
  // stat through the mount carries milliseconds (fuse-native's getattr), root has the full time
  t.same(toMs(await snapshotTree(d.mnt)), toMs(await snapshotTree(d.root)), 'the mount shows root (inodes, modes, times to the ms)')
  const ns = BigInt((await snapshotTree(d.root))['a']?.mtimeNs ?? 0)
  t.ok(ns >= 981173106123456000n && ns <= 981173106123457000n, `touch -d …04:05:06.123456789 through the mount keeps the microsecond (${ns})`)
  t.same((await readFile(`${argvScript}.out`, 'utf8')).split('\n'), ['first', 'two words', 'middle', 'last', d.root, ''],
    'the command plugin got its arguments sorted by key, root last')

  await sh(d.mnt, CHANGE)
  const changed = (await rounds(3))[2]
  t.same(changed?.changed, ['big renamed.bin', 'big.bin', 'd/hard-a', 'deep/er', 'empty', 'link', 'moved-er'],
    'round 3 carries exactly the deleted and renamed paths')
  await mirrorsMatch(t, d, remote, 'after deleting and renaming')

  await writeFile(join(d.mnt, 'd/b'), 'b, rewritten\n')
  t.same((await rounds(4))[3]?.changed, ['d/b'], 'after changing only d/b, round 4 carries exactly d/b')
  await mirrorsMatch(t, d, remote, 'after one rewrite')

  await sh(d.mnt, READ_ONLY)
  // No event marks "no round happened": wait past two quiet times, then look.
  await sleep(2500)
  t.equal((await readJsonLines<Round>(d.rounds)).length, 4, 'reads, stats, listings and cat caused no round')
  await mirrorsMatch(t, d, remote, 'after the read-only pass')

  await unmountStem(d)
  t.equal((await readJsonLines<Round>(d.rounds)).length, 4, 'nothing was pending at umount: no final round')
})

t.test('with plugins and no target, the plugins still run after writes', { skip: fuseUnavailable() }, async t => {
  const d = await stemDirs(t)
  await writeStemConfig(d, { global: testGlobal(d), 'plugin:rounds': recorderSection(d) })
  t.equal((await mountStem(d)).code, 0, 'mounted')
  await waitFor('the startup round', async () => (await readJsonLines<Round>(d.rounds)).length === 1)
  await writeFile(join(d.mnt, 'x'), 'x\n')
  const rounds = await waitFor('a round for the write', async () => { const l = await readJsonLines<Round>(d.rounds); return l.length >= 2 && l })
  t.match(rounds[1], { reason: 'quiet', changed: ['x'] }, 'the plugin saw the write')
  await unmountStem(d)
})
