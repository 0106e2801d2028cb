import { execFile } from 'node:child_process'
import { chmod, open, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { firstListingEntry, parseListingLine } from '../backends/rsync-listing.js'
import { missingTools } from './helpers/servers/find-tool.js'
import { tmpDir } from './helpers/tmp.js'

t.test('lines as rsync prints them', async t => {
  t.same(parseListingLine('-rw-r--r--     12,345,678 2026/11/21 10:00:16 big file.bin'), {
    type: 'file', mode: '-rw-r--r--', size: 12345678, mtimeMs: Date.UTC(2026, 10, 21, 10, 0, 16), name: 'big file.bin'
  }, 'thousands separators, a space in the name, the time read as UTC')
  t.equal(parseListingLine('-rw-r--r--  9.876.543.210 2026/11/21 10:00:16 x')?.size, 9876543210, "'.' separators (a locale with a decimal comma)")
  t.equal(parseListingLine('-rw-r--r--    12345678 2026/11/21 10:00:16 x')?.size, 12345678, 'plain digits (--no-h)')
  t.equal(parseListingLine('-rw-------              0 1970/01/01 00:00:00 empty')?.mtimeMs, 0)
  t.equal(parseListingLine('drwxr-xr-x          4,096 2026/11/21 10:00:16 .')?.type, 'dir')
  t.same(parseListingLine('lrwxrwxrwx              6 2026/11/21 10:00:16 latest -> v2.bin'), {
    type: 'symlink', mode: 'lrwxrwxrwx', size: 6, mtimeMs: Date.UTC(2026, 10, 21, 10, 0, 16), name: 'latest -> v2.bin'
  })
  t.equal(parseListingLine('prw-r--r--              0 2026/11/21 10:00:16 fifo')?.type, 'other')
  t.equal(parseListingLine('-rwsr-xr-t      1 2026/11/21 10:00:16 setuid')?.mode, '-rwsr-xr-t')
  t.equal(parseListingLine('-rw-r--r--      1 2026/11/21 10:00:16 crlf\r')?.name, 'crlf')
  t.equal(parseListingLine('-rw-r--r--      1 2026/11/21 10:00:16 with space \\#303\\#274.txt')?.name, 'with space ü.txt',
    'bytes rsync escaped in a non-UTF-8 locale')
})

t.test('what is not a listing line', async t => {
  t.equal(parseListingLine(''), undefined)
  t.equal(parseListingLine('Welcome to the mirror'), undefined)
  t.equal(parseListingLine('skipping directory d'), undefined)
  t.equal(parseListingLine('-rw-r--r--  99999999999999999999 2026/11/21 10:00:16 huge'), undefined, 'a size past 2^53')
  t.equal(firstListingEntry('motd line\n\n-rw-r--r--      3 2026/11/21 10:00:16 f\n-rw-r--r--      4 2026/11/21 10:00:16 g\n')?.name, 'f')
  t.equal(firstListingEntry('nothing here\n'), undefined)
})

const noRsync = missingTools([['rsync', 'rsync']])

t.test('real rsync output, with its default digit grouping', { skip: noRsync ?? false }, async t => {
  const dir = await tmpDir(t)
  const file = join(dir, 'sparse file.bin')
  const fh = await open(file, 'w')
  await fh.truncate(1_234_567_891)
  await fh.close()
  await chmod(file, 0o644)
  await utimes(file, new Date('2021-06-07T08:09:10Z'), new Date('2021-06-07T08:09:10Z'))
  const { stdout } = await promisify(execFile)('rsync', ['--list-only', '--', file], { env: { ...process.env, TZ: 'UTC', LC_ALL: 'C' } })
  t.match(stdout, /1,234,567,891/, 'rsync grouped the digits')
  t.same(firstListingEntry(stdout), {
    type: 'file', mode: '-rw-r--r--', size: 1_234_567_891, mtimeMs: Date.UTC(2021, 5, 7, 8, 9, 10), name: 'sparse file.bin'
  })
})
