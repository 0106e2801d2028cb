/**
 * Real programs inside a push mount (`stem` in the background, a local
 * target): SQLite in WAL and rollback-journal mode stays consistent in the
 * mount and in the copy the target receives; git init/commit/gc/fsck work;
 * a tarball with nested folders, symlinks, hard links and mtimes unpacks so
 * that `tar --diff` finds no difference.
 */
import { execFile } from 'node:child_process'
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { missingTools } from './helpers/servers/find-tool.js'
import { mountStem, stemDirs, testGlobal, unmountStem, writeStemConfig, type StemDirs } from './helpers/stem.js'
import { tmpDir } from './helpers/tmp.js'
import { snapshotTree } from './helpers/tree-snapshot.js'
import { waitFor } from './helpers/wait-for.js'

const run = promisify(execFile)
const sh = async (cwd: string, script: string, env: NodeJS.ProcessEnv = process.env): Promise<string> =>
  (await run('sh', ['-ec', script], { cwd, env, maxBuffer: 16 * 1024 * 1024 })).stdout

const skip = fuseUnavailable() || (missingTools([['sqlite3', 'sqlite3'], ['git', 'git'], ['tar', 'tar']]) ?? false)

/** Waits until the target's copy of `sub` equals root's (a round ran after the last change). */
async function delivered (d: StemDirs, sub: string): Promise<void> {
  const same = async (): Promise<boolean> =>
    JSON.stringify(await snapshotTree(join(d.target, sub))) === JSON.stringify(await snapshotTree(join(d.root, sub)))
  await waitFor(`${sub} to reach the target`, same, { timeoutMs: 20_000, intervalMs: 200 })
}

/** 10 transactions of 1,000 inserts, then 50 inserts in autocommit, an index, and the checks. */
function sqliteScript (mode: 'wal' | 'delete'): string {
  const lines = [`PRAGMA journal_mode=${mode};`, 'CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);']
  for (let b = 0; b < 10; b++) {
    lines.push('BEGIN;')
    for (let i = 0; i < 1000; i++) lines.push(`INSERT INTO t (v) VALUES ('row ${b * 1000 + i} ${'x'.repeat(40)}');`)
    lines.push('COMMIT;')
  }
  for (let i = 0; i < 50; i++) lines.push(`INSERT INTO t (v) VALUES ('autocommit ${i}');`)
  lines.push('CREATE INDEX t_v ON t (v);', 'SELECT count(*) FROM t;', 'PRAGMA integrity_check;')
  return lines.join('\n') + '\n'
}

const CHECK = 'SELECT count(*) FROM t; PRAGMA integrity_check;'

t.test('applications inside a push mount', { skip }, async t => {
  const d = await stemDirs(t)
  await writeStemConfig(d, { global: testGlobal(d), target: { local: d.target } })
  const r = await mountStem(d)
  t.equal(r.code, 0, `mounted; stderr: ${r.stderr}`)
  const scratch = await tmpDir(t, 'stalk-apps-')

  for (const mode of ['wal', 'delete'] as const) {
    await t.test(`SQLite, ${mode} journal: 10,050 inserts, integrity ok in the mount and at the target`, async t => {
      const sql = join(scratch, `${mode}.sql`)
      await writeFile(sql, sqliteScript(mode))
      await mkdir(join(d.mnt, `sqlite-${mode}`))
      const db = join(d.mnt, `sqlite-${mode}`, 'test.db')
      t.equal(await sh(scratch, `sqlite3 -batch '${db}' '.read ${sql}'`), `${mode}\n10050\nok\n`, 'mode set, every row there, integrity ok')
      t.equal(await sh(scratch, `sqlite3 -batch '${db}' '${CHECK}'`), '10050\nok\n', 'and again from a new connection')
      await delivered(d, `sqlite-${mode}`)
      // Checked on a copy: opening the target's file would add -wal/-shm files to the mirror.
      const copy = join(scratch, `${mode}-copy.db`)
      await copyFile(join(d.target, `sqlite-${mode}`, 'test.db'), copy)
      t.equal(await sh(scratch, `sqlite3 -batch '${copy}' '${CHECK}'`), '10050\nok\n', 'the target\'s copy is complete and consistent')
    })
  }

  await t.test('git init, add, commit, log, gc, fsck', async t => {
    const env = { ...process.env, HOME: scratch, GIT_CONFIG_NOSYSTEM: '1', GIT_AUTHOR_DATE: '2020-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2020-01-02T03:04:05Z' }
    const repo = join(d.mnt, 'repo')
    await sh(d.mnt, `
      git init -q repo && cd repo
      git config user.email e2e@example.org && git config user.name 'stalk e2e'
      mkdir -p src/deep && for i in $(seq 1 30); do echo "line $i" > src/deep/f$i.txt; done
      head -c 200000 /dev/urandom > blob.bin
      git add -A && git commit -qm first
      echo more >> src/deep/f1.txt && git mv blob.bin moved.bin && git commit -qam second
      git gc -q --aggressive`, env)
    t.equal(await sh(repo, 'git log --format=%s', env), 'second\nfirst\n', 'both commits in the log')
    await t.resolves(sh(repo, 'git fsck --full --strict', env), 'fsck finds nothing wrong')
    t.equal(await sh(repo, 'git status --porcelain', env), '', 'the work tree is clean')
    t.ok((await stat(join(d.root, 'repo/.git/packed-refs')).catch(() => undefined)) !== undefined, 'gc packed the refs in root')
    await delivered(d, 'repo')
    await t.resolves(sh(join(d.target, 'repo'), 'git fsck --full --strict', env), 'the target\'s copy of the repository is sound')
  })

  await t.test('tar x of nested folders, symlinks, hard links and mtimes: tar --diff finds nothing', async t => {
    const src = join(scratch, 'tar-src')
    await mkdir(src)
    await sh(src, `
      mkdir -p a/b/c empty 'sp ace'
      echo deep > a/b/c/deep.txt && echo top > top.txt && echo 'ünï' > 'sp ace/ünïcødé.txt'
      ln -s a/b/c/deep.txt link && ln -s ../top.txt a/uplink && ln top.txt a/b/hard
      head -c 1048576 /dev/urandom > a/big.bin
      chmod 0640 top.txt && chmod 0700 a/b
      touch -h -d '2005-05-05 05:05:05' link && touch -d '2001-01-01 01:01:01' top.txt a/b/c empty`, { ...process.env, TZ: 'UTC' })
    const tarball = join(scratch, 'tree.tar')
    await run('tar', ['-cf', tarball, '-C', src, '.'])
    await mkdir(join(d.mnt, 'untar'))
    await run('tar', ['-xpf', tarball, '-C', join(d.mnt, 'untar')])
    const diff = await run('tar', ['--diff', '-f', tarball, '-C', join(d.mnt, 'untar')])
    t.equal(diff.stdout + diff.stderr, '', 'tar --diff through the mount: no differences')
    const tree = await snapshotTree(join(d.root, 'untar'))
    t.same(tree['top.txt']?.hardLinks, ['a/b/hard'], 'the hard link is one inode in root')
    t.equal(tree['link']?.target, 'a/b/c/deep.txt', 'the symlink is a symlink')
    t.equal(tree['top.txt']?.mtimeNs, `${Date.UTC(2001, 0, 1, 1, 1, 1) / 1000}000000000`, 'mtimes as in the tarball')
    await delivered(d, 'untar')
  })

  await unmountStem(d)
})
