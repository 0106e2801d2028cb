/**
 * What `stem -r` refuses before it mounts, and how it says so: a bad file
 * name, an unknown origin scheme or no file section at all is exit 5 with
 * the file, section and key named; an origin that refuses our credentials
 * (Ceph RGW with a wrong secret) or cannot be reached is exit 13 with the
 * backend's reason, unless `lazy: yes`, which mounts anyway and serves the
 * copies a previous mount left in the cachedir.
 */
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import t, { type Test } from 'tap'
import { fuseUnavailable } from './helpers/mount.js'
import { waitForNoProcess } from './helpers/process-list.js'
import {
  logLine, mountPull, pullDirs, pullGlobal, sha256, tool, unmountPull, type PullDirs
} from './helpers/pull-mount.js'
import { freePort } from './helpers/servers/free-port.js'
import { s3Server, s3Unavailable } from './helpers/servers/s3.js'
import { stalkMount, writeStemConfig } from './helpers/stem.js'
import type { Section } from './helpers/stem-config.js'

const skip = fuseUnavailable()

/** Mounting must fail with `code`, leaving no mount and no daemon behind. */
async function refused (t: Test, d: PullDirs, code: number): Promise<string> {
  const r = await mountPull(d)
  t.equal(r.code, code, `exit ${code} (stderr: ${r.stderr.trim()})`)
  t.notOk(stalkMount(d.mnt), 'nothing is mounted')
  // The daemon reports its refusal to the waiting parent first, then exits.
  t.same(await waitForNoProcess(d.config, 5000), [], 'no daemon is left running')
  return r.stderr
}

t.test('config refusals: exit 5 naming the file, section and key', { skip }, async t => {
  const d = await pullDirs(t)
  const file = (over: Section): Section => ({ name: 'f.txt', origin: 'https://example.org/f.txt', ...over })
  const cases: ReadonlyArray<readonly [string, Record<string, Section>, RegExp]> = [
    ['a name with /', { global: pullGlobal(d), motd: file({ name: 'etc/motd' }) }, /\[motd\] name: "etc\/motd" must be a plain file name/],
    ['the name ..', { global: pullGlobal(d), up: file({ name: '..' }) }, /\[up\] name: "\.\." is not a file name/],
    ['an unknown origin scheme', { global: pullGlobal(d), old: file({ origin: 'ftp://files.example.org/f.txt' }) },
      /\[old\] origin: unknown origin scheme "ftp:\/\/"/],
    ['no origin', { global: pullGlobal(d), bare: { name: 'f.txt' } }, /\[bare\] origin/],
    ['no file section', { global: pullGlobal(d) }, /no file sections/]
  ]
  for (const [what, sections, message] of cases) {
    await t.test(what, async t => {
      await writeStemConfig(d, sections)
      const stderr = await refused(t, d, 5)
      t.match(stderr, d.config, 'names the config file')
      t.match(stderr, message, 'names the section and key and says what is wrong')
    })
  }
})

t.test('an origin that cannot be reached: exit 13, or a mount with lazy: yes', { skip }, async t => {
  const d = await pullDirs(t)
  const origin = `http://127.0.0.1:${await freePort()}/f.txt`
  await writeStemConfig(d, { global: pullGlobal(d), f: { name: 'f.txt', origin } })
  const stderr = await refused(t, d, 13)
  t.match(stderr, /connection refused/i, 'the backend\'s reason')
  t.match(stderr, /lazy: yes/, 'and how to mount anyway')

  await writeStemConfig(d, { global: pullGlobal(d, { lazy: 'yes' }), f: { name: 'f.txt', origin } })
  const m = await mountPull(d)
  t.equal(m.code, 0, `lazy: yes mounts (${m.stderr})`)
  t.ok(await logLine(d, 'origin not reachable now'), 'and warns in the log')
  t.match((await tool('cat', [join(d.mnt, 'f.txt')])).stderr, /Input\/output error/, 'a file never fetched is EIO')
  await unmountPull(d, m.pid)
})

t.test('S3 with a wrong secret: exit 13; lazy: yes serves the cached copies', { skip: skip || (s3Unavailable() ?? false) }, async t => {
  const [s3, d] = await Promise.all([s3Server(t), pullDirs(t)])
  const body = Buffer.from('ssh-ed25519 AAAA… host key\n'.repeat(100))
  const key = `${s3.prefix}known_hosts`
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: body }))
  const global = (over: Section): Section =>
    pullGlobal(d, { endpoint: s3.endpoint, region: s3.region, access_key_id: s3.accessKeyId, secret_access_key: s3.secretAccessKey, ...over })
  const files = {
    DEFAULT: { cachetime: '1s' },
    hosts: { name: 'known_hosts', origin: `s3://${s3.bucket}/${key}` },
    other: { name: 'never-read', origin: `s3://${s3.bucket}/${s3.prefix}other` }
  }

  await writeStemConfig(d, { global: global({ secret_access_key: 'not-the-secret' }), ...files })
  const stderr = await refused(t, d, 13)
  t.match(stderr, /SignatureDoesNotMatch/, 'the backend\'s reason')
  t.match(stderr, s3.bucket, 'names the bucket it checked')
  t.notMatch(stderr, 'not-the-secret', 'never the secret itself')

  // A good mount leaves a copy in the cachedir...
  await writeStemConfig(d, { global: global({}), ...files })
  const good = await mountPull(d)
  t.equal(good.code, 0, `the right secret mounts (${good.stderr})`)
  t.equal(sha256((await tool('cat', [join(d.mnt, 'known_hosts')])).stdout), sha256(body), 'read from Ceph')
  await unmountPull(d, good.pid)
  t.ok((await readdir(d.cache)).includes('known_hosts'), 'the copy stays in the cachedir')

  // ...which a lazy mount with the wrong secret serves once its cachetime is past.
  await writeStemConfig(d, { global: global({ secret_access_key: 'not-the-secret', lazy: 'yes' }), ...files })
  const lazy = await mountPull(d)
  t.equal(lazy.code, 0, `lazy: yes mounts despite the refusal (${lazy.stderr})`)
  await sleep(1500)
  const r = await tool('cat', [join(d.mnt, 'known_hosts')])
  t.equal(r.code, 0, `the stale copy is served (${r.stderr})`)
  t.equal(sha256(r.stdout), sha256(body), 'with the bytes of the last good fetch')
  t.match((await tool('cat', [join(d.mnt, 'never-read')])).stderr, /Permission denied/, 'a file never cached: EACCES')
  await unmountPull(d, lazy.pid)
})
