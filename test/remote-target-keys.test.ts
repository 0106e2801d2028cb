// The config keys of s3:// and sftp:// targets: store keys own over
// [global], secrets from a file or the environment, on_conflict,
// upload_concurrency, the state folder; rsync targets get none of them.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../src/config/load-config.js'
import type { PushConfig } from '../src/config/types.js'
import { asUser, refusal, writeConfig } from './helpers/config-fixture.js'

function load (dir: string, text: string, env: NodeJS.ProcessEnv = {}): Promise<PushConfig> {
  return loadConfig(writeConfig(dir, `[global]\nroot = root\nstate_dir = state\n${text}`), 'push', { ...asUser, env })
}

t.test('store keys, secrets and target options', async t => {
  const dir = t.testdir({ root: {}, 'sk.txt': 'secret-from-file\n' })
  const c = await load(dir, [
    'endpoint = http://global:9000', 'region = eu-1', 'upload_concurrency = 8', 'ssh_key = keys/id',
    '[target]', 'cloud = s3://bucket/prefix', 'box = sftp://deploy@host/srv/www', 'plain = host:/srv',
    '[target:cloud]', 'endpoint = http://own:9000', 'access_key_id = AK', 'secret_access_key_file = sk.txt', 'on_conflict = Stop',
    '[target:box]', 'strict_host_key_checking = no', 'key_passphrase = pw'
  ].join('\n'))
  const [cloud, box, plain] = c.targets
  t.same(Object.fromEntries(cloud?.storeOptions ?? []), {
    endpoint: 'http://own:9000', region: 'eu-1', access_key_id: 'AK', secret_access_key: 'secret-from-file'
  }, 'own keys over [global]; the secret read from its file, one trailing newline dropped')
  t.match(cloud, { onConflict: 'stop', uploadConcurrency: 8, stateDir: join(dir, 'state') })
  t.same(Object.fromEntries(box?.storeOptions ?? []), {
    endpoint: 'http://global:9000', region: 'eu-1', key_passphrase: 'pw', strict_host_key_checking: 'no'
  })
  t.match(box, { onConflict: 'keep', ssh: { identityFile: join(dir, 'keys/id') } }, 'on_conflict defaults to keep; ssh keys as for rsync')
  t.notOk(plain !== undefined && 'storeOptions' in plain, 'an rsync target reads none of them')
  // the file holds inline secrets, so the loader may warn about its mode; no key may be unknown
  t.same(c.warnings.filter(w => !w.includes('holds secrets')), [], 'none of the keys is unknown')
})

t.test('a secret from STALK_TARGET_<LABEL>_<KEY> wins over the file', async t => {
  const dir = t.testdir({ root: {} })
  writeFileSync(join(dir, 'sk'), 'from-file')
  const c = await load(dir, '[target]\ncloud = s3://b/p\n[target:cloud]\nsecret_access_key_file = sk',
    { STALK_TARGET_CLOUD_SECRET_ACCESS_KEY: 'from-env' })
  t.equal(c.targets[0]?.storeOptions?.get('secret_access_key'), 'from-env')
})

t.test('refusals name the section and key', async t => {
  const dir = t.testdir({ root: {} })
  await t.rejects(load(dir, '[target]\ncloud = s3://b/p\n[target:cloud]\non_conflict = ask'),
    refusal('configInvalid', /\[target:cloud\] on_conflict: "ask" must be keep, stop or overwrite/))
  await t.rejects(load(dir, 'upload_concurrency = 0\n[target]\ncloud = s3://b/p'),
    refusal('configInvalid', /\[global\] upload_concurrency: "0" is not a whole number from 1 to 64/))
  await t.rejects(load(dir, '[target]\ncloud = s3://b/p\n[target:cloud]\nsecret_access_key = x\nsecret_access_key_file = f'),
    refusal('configInvalid', /secret_access_key_file: give either secret_access_key or secret_access_key_file, not both/))
})
