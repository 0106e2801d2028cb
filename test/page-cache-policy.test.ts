import t from 'tap'
import { PageCachePolicy } from '../src/pull/page-cache-policy.js'

const CACHED = { directIo: false, keepCache: true }
const DROP = { directIo: false, keepCache: false }
const DIRECT = { directIo: true, keepCache: true }

t.test('one version: the first open drops whatever was cached, later ones keep the pages', async t => {
  const p = new PageCachePolicy()
  const a = p.opened('/f', 'v1')
  t.same(a, DROP)
  t.same(p.opened('/f', 'v1'), CACHED, 'while the first is open')
  p.closed('/f', a)
  t.same(p.opened('/f', 'v1'), CACHED, 'after it closed')
})

t.test('a new version while the old one is open bypasses the page cache until the old readers close', async t => {
  const p = new PageCachePolicy()
  const old1 = p.opened('/f', 'v1')
  const old2 = p.opened('/f', 'v1')
  const new1 = p.opened('/f', 'v2')
  t.same(new1, DIRECT, 'the old readers keep their pages; the new one reads past them')
  p.closed('/f', old1)
  t.same(p.opened('/f', 'v2'), DIRECT, 'one old reader is still open')
  p.closed('/f', old2)
  const new3 = p.opened('/f', 'v2')
  t.same(new3, DROP, 'no old reader left: the old pages are dropped, v2 is the cached version')
  t.same(p.opened('/f', 'v2'), CACHED)
  p.closed('/f', new1)
  t.same(p.opened('/f', 'v3'), DIRECT, 'v2 readers through the cache are still open')
})

t.test('direct handles never count as readers of the cache', async t => {
  const p = new PageCachePolicy()
  const old = p.opened('/f', 'v1')
  const direct = p.opened('/f', 'v2')
  p.closed('/f', direct)
  t.same(p.opened('/f', 'v2'), DIRECT, 'closing a direct handle leaves the v1 reader in charge')
  p.closed('/f', old)
  t.same(p.opened('/f', 'v1'), CACHED, 'v1 is still the cached version')
})

t.test('files are independent', async t => {
  const p = new PageCachePolicy()
  p.opened('/a', 'v1')
  t.same(p.opened('/b', 'v9'), DROP)
  t.same(p.opened('/b', 'v9'), CACHED)
  t.same(p.opened('/a', 'v2'), DIRECT)
})
