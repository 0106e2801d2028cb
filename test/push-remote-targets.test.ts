/**
 * Push mode end to end with the two store targets, as a user runs it:
 * `stem` mounts with an s3:// target (a real Ceph RGW, its secret read from
 * a file) and an sftp:// target (a real sshd); a tree written through the
 * mount is in both stores after the quiet time, as far as each can hold it;
 * deletions and renames follow, and a restart of the mount sends nothing
 * that is already there.
 */
import { execFile } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { s3Objects, s3Tree } from './helpers/s3-target-rig.js'
import { s3Server, s3Unavailable, type S3TestServer } from './helpers/servers/s3.js'
import { sshdUnavailable, startSshd } from './helpers/servers/sshd.js'
import { mountStem, readJsonLines, recorderSection, stemDirs, testGlobal, unmountStem, writeStemConfig, type StemDirs } from './helpers/stem.js'
import { project, snapshotTree } from './helpers/tree-snapshot.js'
import { waitFor } from './helpers/wait-for.js'

interface Round { readonly reason: string; readonly changed: readonly string[]; readonly results: ReadonlyArray<{ target: string; ok: boolean }> }

const sh = async (cwd: string, script: string): Promise<void> => { await promisify(execFile)('sh', ['-ec', script], { cwd }) }

const BUILD = `
mkdir -p docs/deep empty
printf 'readme\\n' > README
printf 'deep\\n' > docs/deep/leaf.txt
printf 'odd\\n' > 'docs/a name ü.txt'
head -c 20971520 /dev/urandom > big.iso
ln -s docs/deep/leaf.txt link
ln README docs/README-again
chmod 0600 docs/deep/leaf.txt
`
const CHANGE = `
rm link
mv docs/deep docs/moved
rm README
printf 'new\\n' > new.txt
`

const S3_FEATURES = { modes: false, mtimes: false, symlinks: false, hardLinks: false, emptyDirs: false }
const SFTP_FEATURES = { mtimes: false, hardLinks: false }

const skip = fuseUnavailable() || (sshdUnavailable() ?? s3Unavailable() ?? false)

async function storesMatch (t: Test, d: StemDirs, s3: S3TestServer, prefix: string, remote: string, what: string): Promise<void> {
  const root = await snapshotTree(d.root)
  t.same(project(await s3Tree(s3, prefix), S3_FEATURES), project(root, S3_FEATURES), `${what}: the bucket holds root's files`)
  t.same(project(await snapshotTree(remote), SFTP_FEATURES), project(root, SFTP_FEATURES), `${what}: the sftp folder equals root`)
}

t.test('a tree written through the mount reaches an S3 and an SFTP target', { skip }, async t => {
  const s3 = await s3Server(t)
  const sshd = await startSshd(t)
  const d = await stemDirs(t)
  const remote = join(sshd.remoteDir, 'mirror')
  const prefix = `${s3.prefix}e2e/`
  const secretFile = join(d.base, 's3.secret')
  await writeFile(secretFile, `${s3.secretAccessKey}\n`, { mode: 0o600 })
  await writeStemConfig(d, {
    global: testGlobal(d, { ssh_key: sshd.keyFile, ssh_known_hosts: sshd.knownHostsFile }),
    target: { cloud: `s3://${s3.bucket}/${prefix}`, box: `sftp://root@127.0.0.1:${sshd.port}${remote}` },
    'target:cloud': { endpoint: s3.endpoint, region: s3.region, access_key_id: s3.accessKeyId, secret_access_key_file: secretFile },
    'plugin:rounds': recorderSection(d)
  })
  const r = await mountStem(d, ['-v'])
  t.equal(r.code, 0, `mounted; stderr: ${r.stderr}`)
  const rounds = async (n: number): Promise<Round[]> =>
    waitFor(`round ${n}`, async () => { const l = await readJsonLines<Round>(d.rounds); return l.length >= n && l }, { timeoutMs: 60_000 })
  t.match((await rounds(1))[0], { reason: 'startup' }, 'a fresh journal owes both targets a full mirror at once')

  await sh(d.mnt, BUILD)
  t.same((await rounds(2))[1]?.results, [{ target: 'cloud', ok: true }, { target: 'box', ok: true }], 'both targets took the tree')
  await storesMatch(t, d, s3, prefix, remote, 'after building')
  t.ok((await s3Objects(s3.client, s3.bucket, prefix)).get('big.iso')?.etag.endsWith('-3'), 'the 20 MiB file went up in 3 parts')

  await sh(d.mnt, CHANGE)
  t.same((await rounds(3))[2]?.results, [{ target: 'cloud', ok: true }, { target: 'box', ok: true }], 'both targets took the changes')
  await storesMatch(t, d, s3, prefix, remote, 'after deleting and renaming')

  await unmountStem(d)
  const states = (await readdir(d.state)).filter(f => /^target-(cloud|box)-[0-9a-f]{8}\.json$/.test(f))
  t.equal(states.length, 2, `each target keeps its state in state_dir: ${states.join(', ')}`)
  const etags = await s3Objects(s3.client, s3.bucket, prefix)
  t.equal((await mountStem(d)).code, 0, 'mounted again')
  await writeFile(join(d.mnt, 'after-restart.txt'), 'x\n')
  await rounds(4)
  const now = await s3Objects(s3.client, s3.bucket, prefix)
  t.same([...now.keys()].filter(k => !etags.has(k)), ['after-restart.txt'], 'after a restart only the new file was added')
  t.ok([...etags].every(([k, v]) => now.get(k)?.etag === v.etag), 'and no object was replaced')
  await storesMatch(t, d, s3, prefix, remote, 'after a restart')
  await unmountStem(d)
})
