import t from 'tap'
import { splitWords } from '../src/config/split-words.js'

t.test('words, quotes and escapes', async t => {
  t.same(splitWords(''), [])
  t.same(splitWords('  -a   -b\t-c  '), ['-a', '-b', '-c'])
  t.same(splitWords(`--exclude '*.tmp' "a b" c\\ d`), ['--exclude', '*.tmp', 'a b', 'c d'])
  t.same(splitWords(`'$HOME' "\\"q\\" \\\\ \\n"`), ['$HOME', '"q" \\ \\n'], 'nothing expanded; only \\" and \\\\ escape in "…"')
  t.same(splitWords(`''`), [''], 'an empty quoted word is a word')
  t.same(splitWords(`a'b'"c"`), ['abc'], 'adjacent parts join')
  t.same(splitWords('one\ntwo'), ['one', 'two'], 'continuation lines separate words')
})

t.test('refusals', async t => {
  t.throws(() => splitWords(`'open`), { name: 'RangeError', message: `unterminated ' quote in "'open"` })
  t.throws(() => splitWords('"open'), { name: 'RangeError', message: 'unterminated " quote in ""open"' })
  t.throws(() => splitWords('end\\'), { name: 'RangeError', message: '"end\\" ends with a lone backslash' })
})
