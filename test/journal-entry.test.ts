import t from 'tap'
import { formatEntry, parseEntry, parseLog, type JournalEntry } from '../src/push/journal-entry.js'

t.test('every entry kind survives a round trip', async t => {
  const entries: JournalEntry[] = [
    { v: 1, labels: ['us', 'eu'], seq: 41 },
    { s: 42, p: 'a/b.rpm' },
    { s: 42, p: 'a "quoted"\nname', l: ['eu'] },
    { s: 43, all: 'eu' },
    { d: 'us', u: 43, p: ['a/b.rpm'] },
    { d: 'us', u: 43, all: true },
    { c: 1 }
  ]
  for (const e of entries) {
    const line = formatEntry(e)
    t.equal(line.indexOf('\n'), line.length - 1, 'one line, even for a name with a newline')
    t.same(parseEntry(line.trimEnd()), e)
  }
})

t.test('lines that are not ours are refused', async t => {
  for (const line of ['', '[]', 'null', '"x"', '{}', '{"s":-1,"p":"x"}', '{"s":1.5,"p":"x"}', '{"s":1}',
    '{"s":1,"p":"x","l":[1]}', '{"d":"a","u":1}', '{"d":"a","u":1,"p":"x"}', '{"v":1,"labels":"a","seq":0}', '{"c":2}', '{"s":1,"p":"x"']) {
    t.equal(parseEntry(line), undefined, JSON.stringify(line))
  }
})

t.test('parseLog tells a torn last line from corruption', async t => {
  t.same(parseLog('{"c":1}\n'), { entries: [{ c: 1 }], corrupt: false, torn: false })
  t.same(parseLog('{"c":1}\n{"s":2,'), { entries: [{ c: 1 }], corrupt: false, torn: true })
  t.same(parseLog('{"c":1}\n{"s":2,"p":"x"}'), { entries: [{ c: 1 }], corrupt: false, torn: true },
    'a complete object without its newline was never acknowledged either')
  t.same(parseLog('junk\n{"c":1}\n'), { entries: [{ c: 1 }], corrupt: true, torn: false })
  t.same(parseLog(''), { entries: [], corrupt: false, torn: false })
})
