import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { RotatingFile } from '../src/log/rotating-file.js'

const write = (f: RotatingFile, s: string): Promise<void> => new Promise((resolve, reject) => f.write(s, err => { err ? reject(err) : resolve() }))

t.test('rotates by size, logrotate style, keeping N old files', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'stalk.log')
  const f = new RotatingFile(file, 100, 2)
  for (let i = 0; i < 7; i++) await write(f, `line ${i} ${'x'.repeat(40)}\n`)
  // 48-byte lines, rotation once a file passes 100 bytes: 3 lines per file
  t.match(readFileSync(file, 'utf8'), /^line 6 /, 'the configured path is the current log')
  t.match(readFileSync(`${file}.1`, 'utf8'), /^line 3 [x]+\nline 4 [x]+\nline 5 [x]+\n$/)
  t.match(readFileSync(`${file}.2`, 'utf8'), /^line 0 /)
  t.notOk(existsSync(`${file}.3`), 'no more than keep=2 old files')
  await new Promise<void>(resolve => f.end(resolve))
})

t.test('appends to an existing log and counts its size', async t => {
  const dir = t.testdir({ 'stalk.log': 'y'.repeat(90) + '\n' })
  const file = join(dir, 'stalk.log')
  const f = new RotatingFile(file, 100, 1)
  await write(f, 'z'.repeat(20) + '\n')
  t.equal(readFileSync(`${file}.1`, 'utf8'), 'y'.repeat(90) + '\n' + 'z'.repeat(20) + '\n', 'old content kept, rotated out')
  t.equal(readFileSync(file, 'utf8'), '')
  await new Promise<void>(resolve => f.end(resolve))
})

t.test('keep 0: the log is emptied instead of shifted', async t => {
  const dir = t.testdir({})
  const file = join(dir, 'a.log')
  const f = new RotatingFile(file, 10, 0)
  await write(f, 'abcdefghijkl\n')
  await write(f, 'second\n')
  t.notOk(existsSync(`${file}.1`))
  t.equal(readFileSync(file, 'utf8'), 'second\n', 'the line that passed the limit was dropped with the old content')
  await new Promise<void>(resolve => f.end(resolve))
})
