/**
 * Checks the loader makes of the filesystem around a config: a file holding
 * secrets inline that others can read gets a warning (not a refusal), and a
 * cachedir that is not a folder is refused with exit 5 naming [global]
 * cachedir, before anything is mounted. And STALK_CONFIG, the default of -c,
 * reaching stem through its environment.
 */
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../src/config/load-config.js'
import { ExitCode } from '../src/exit-codes.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'
import { fuseUnavailable } from './helpers/mount.js'
import { runStem, STEM_BIN, stalkMount, stemDirs, writeStemConfig } from './helpers/stem.js'

/** A pull file section whose origin nothing answers on: the loader never asks it. */
const FILE_SECTION = '[f]\nname: f\norigin: http://127.0.0.1:9/f\n'

t.test('inline secrets in a file others can read: a warning naming the file, its mode and the fix', async t => {
  const dir = t.testdir({ root: {} })
  const pull = async (text: string, mode: number): Promise<readonly string[]> => {
    const file = writeConfig(dir, text, 'pull.cf')
    chmodSync(file, mode)
    return (await loadConfig(file, 'pull', asUser)).warnings
  }
  const file = join(dir, 'pull.cf')
  const warning = (mode: string): string => `${file} holds secrets and is readable by others (mode ${mode}): chmod 600 it`

  t.same(await pull(`${FILE_SECTION}password: hunter2\n`, 0o644), [warning('0644')], 'a password in a file section, 0644')
  t.same(await pull(`${FILE_SECTION}password: hunter2\n`, 0o640), [warning('0640')], 'readable by the group only: 0640')
  t.same(await pull(`${FILE_SECTION}password: hunter2\n`, 0o604), [warning('0604')], 'readable by others only: 0604')
  t.same(await pull(`${FILE_SECTION}password: hunter2\n`, 0o600), [], '0600: no warning')
  t.same(await pull(`[global]\nsecret_access_key: abc\n\n${FILE_SECTION}`, 0o644), [warning('0644')], 'in [global]')
  t.same(await pull(`[DEFAULT]\nsession_token: tok\n\n${FILE_SECTION}`, 0o644), [warning('0644')], 'in [DEFAULT]')
  t.same(await pull(`${FILE_SECTION}key_passphrase: pw\n`, 0o644), [warning('0644')], 'key_passphrase')

  writeFileSync(join(dir, 'pw'), 'hunter2\n', { mode: 0o600 })
  t.same(await pull(`${FILE_SECTION}password_file: pw\n`, 0o644), [], 'a secret in a _file: the config itself holds none')
  t.same(await pull(`${FILE_SECTION}access_key_id: AKIAEXAMPLE\n`, 0o644), [], 'access_key_id names a credential, it is not one')
  t.same(await pull(`${FILE_SECTION}password:\n`, 0o644), [], 'an empty value is no secret')

  const push = writeConfig(dir, `[global]\nroot: ${join(dir, 'root')}\nstate_dir: ${join(dir, 'state')}\n\n[target]\ncloud: s3://bucket/p\n\n[target:cloud]\naccess_key_id: AKIAEXAMPLE\nsecret_access_key: abc\n`, 'push.cf')
  chmodSync(push, 0o644)
  t.match((await loadConfig(push, 'push', asUser)).warnings,
    [`${push} holds secrets and is readable by others (mode 0644): chmod 600 it`], 'push mode: a [target:LABEL] secret')
  chmodSync(push, 0o600)
  t.same((await loadConfig(push, 'push', asUser)).warnings, [], 'push mode, 0600: none')
})

t.test('a cachedir that is not a folder is refused (exit 5), naming [global] cachedir', async t => {
  const dir = t.testdir({ 'a-file': 'not a folder\n', existing: {} })
  const load = (cachedir: string): Promise<unknown> =>
    loadConfig(writeConfig(dir, `[global]\ncachedir: ${cachedir}\n\n${FILE_SECTION}`), 'pull', asUser)
  const file = join(dir, 'stalk.cf')
  await t.rejects(load('a-file'), refusal('configInvalid', `${file}: [global] cachedir: ${join(dir, 'a-file')} is not a directory (a file is there)`))
  await t.rejects(load('a-file/cache'), refusal('configInvalid', `${file}: [global] cachedir: ${join(dir, 'a-file/cache')} is not a directory (a file is in the way on its path)`))
  t.match(await load('existing'), { cachedir: join(dir, 'existing') }, 'an existing folder')
  t.match(await load('new/cache'), { cachedir: join(dir, 'new/cache') }, 'a missing folder: created at mount')
})

t.test('stem -r with a file as cachedir: exit 5 before anything is mounted', { skip: fuseUnavailable() || false }, async t => {
  const d = await stemDirs(t, 'stalk-pull-')
  const cachedir = join(d.base, 'cache-is-a-file')
  writeFileSync(cachedir, 'x')
  // Nothing answers on port 9: had the loader let this through, the preflight would refuse with exit 13 instead.
  await writeStemConfig(d, { global: { cachedir, log: d.log }, f: { name: 'f', origin: 'http://127.0.0.1:9/f' } })
  const r = await runStem(['-r', '-c', d.config, d.mnt])
  t.equal(r.code, ExitCode.configInvalid, `exit 5 (stderr: ${r.stderr.trim()})`)
  t.match(r.stderr, `stem: ${d.config}: [global] cachedir: ${cachedir} is not a directory`)
  t.notOk(stalkMount(d.mnt), 'nothing mounted')
})

t.test('STALK_CONFIG in the environment is the config of stem check (and of a mount) without -c', async t => {
  const dir = t.testdir({ 'a-file': 'x' })
  const file = writeConfig(dir, `[global]\ncachedir: ${join(dir, 'a-file')}\n\n${FILE_SECTION}`, 'from-env.cf')
  const withEnv = ['/usr/bin/env', `STALK_CONFIG=${file}`, process.execPath, STEM_BIN]
  const check = await runStem(['check', '-r'], { command: withEnv })
  t.equal(check.code, ExitCode.configInvalid, `stem check read ${file} (stderr: ${check.stderr.trim()})`)
  t.match(check.stderr, `${file}: [global] cachedir`)
  const mount = await runStem(['-f', '-r', join(dir, 'mnt')], { command: withEnv })
  t.match(mount.stderr, `${file}: [global] cachedir`, 'the mount read it too')
  const own = await runStem(['check', '-r', '-c', join(dir, 'missing.cf')], { command: withEnv })
  t.equal(own.code, ExitCode.configUnreadable, '-c wins over STALK_CONFIG')
  t.match(own.stderr, 'missing.cf')
})
