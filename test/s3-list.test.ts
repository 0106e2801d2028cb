// S3Backend.list against a real Ceph RGW: the list conformance suite, then
// what is particular to S3: pagination (more than 1000 keys, read with a
// small page size so there are many pages), pages fetched only as the
// caller reads on (a huge prefix is never held at once), CommonPrefixes on
// several pages, a folder marker, a key that is also a prefix, and a key
// with "//" (an empty name, for the tree index to skip).
import t from 'tap'
import { S3Backend } from '../backends/s3-backend.js'
import { listS3Folder } from '../backends/s3-list.js'
import { listAll, listConformance } from './helpers/list-conformance.js'
import { putObject, s3Settings } from './helpers/s3-objects.js'
import { s3Server, s3Unavailable, type S3TestServer } from './helpers/servers/s3.js'

const skip = s3Unavailable()
const s3 = skip === undefined ? await s3Server(t) : undefined

/** Puts `keys` with `parallel` uploads at a time. */
async function putMany (s: S3TestServer, keys: readonly string[], parallel = 24): Promise<void> {
  for (let i = 0; i < keys.length; i += parallel) {
    await Promise.all(keys.slice(i, i + parallel).map(k => putObject(s, k, Buffer.from(k))))
  }
}

t.test('S3 list on Ceph RGW', { skip: skip ?? false }, async t => {
  if (s3 === undefined) return
  const s = s3
  const key = (rel: string): string => `${s.prefix}${rel}`

  await listConformance(t, 's3 (Ceph RGW)', {
    setup: async () => ({ backend: new S3Backend(s3Settings(s)), dirOf: rel => key(`conf/${rel}`), put: (rel, data) => putObject(s, key(`conf/${rel}`), data) }),
    missingFolder: 'empty',
    keepsMtime: false
  })

  await t.test('more than 1000 keys over many small pages, folders on several pages', async t => {
    const files = Array.from({ length: 1030 }, (_, i) => key(`many/f${String(i).padStart(4, '0')}`))
    const folders = Array.from({ length: 25 }, (_, i) => key(`many/d${String(i).padStart(2, '0')}/x`))
    await putMany(s, [...files, ...folders])
    const b = new S3Backend(s3Settings(s, { listPageSize: 37 }))
    t.teardown(() => b.close())
    const all = await listAll(b, key('many/'))
    t.equal(all.filter(e => e.type === 'file').length, 1030, 'every key, none twice')
    t.equal(new Set(all.map(e => e.name)).size, all.length, 'no duplicates across pages')
    t.same(all.filter(e => e.type === 'dir').map(e => e.path), folders.map(f => f.slice(0, -1)), 'every prefix, as a folder path')
  })

  await t.test('pages are asked for as the caller reads on', async t => {
    let lists = 0
    s.client.middlewareStack.add(next => async args => { lists++; return await next(args) },
      { step: 'initialize', name: 'countListsForTest', tags: ['TEST'] })
    t.teardown(() => { s.client.middlewareStack.remove('countListsForTest') })
    const it = listS3Folder({ client: s.client, bucket: s.bucket, dir: key('many/'), pageSize: 10 })
    for (let i = 0; i < 10; i++) await it.next()
    t.equal(lists, 1, 'ten entries read: one page asked for')
    await it.next()
    t.equal(lists, 2, 'the eleventh: the next page')
    await it.return(undefined)
    t.equal(lists, 2, 'stopping asks for nothing more')
  })

  await t.test('folder markers, a key that is also a prefix, an empty name', async t => {
    await putMany(s, [key('odd/'), key('odd/dup'), key('odd/dup/in'), key('odd//empty'), key('odd/plain')])
    const b = new S3Backend(s3Settings(s))
    t.teardown(() => b.close())
    const entries = await listAll(b, key('odd/'))
    t.same(entries.map(e => [e.name, e.type]), [['', 'dir'], ['dup', 'dir'], ['dup', 'file'], ['plain', 'file']],
      'the marker "odd/" is not its own entry; both kinds of "dup" are given, as is the empty name')
    t.same((await listAll(b, key(''))).map(e => e.name).filter(n => n === 'odd'), ['odd'])
  })
})
