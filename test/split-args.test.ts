import t from 'tap'
import { splitArgs } from '../plugins/split-args.js'

t.test('splits on any whitespace', async t => {
  t.same(splitArgs('--update -q'), ['--update', '-q'])
  t.same(splitArgs('  a\t b \n c  '), ['a', 'b', 'c'])
  t.same(splitArgs(''), [])
  t.same(splitArgs('   '), [])
})

t.test('quotes keep spaces and make empty arguments', async t => {
  t.same(splitArgs("'two words' \"and three more\""), ['two words', 'and three more'])
  t.same(splitArgs("--name='a b'c"), ['--name=a bc'], 'quotes join with the word around them')
  t.same(splitArgs("'' x \"\""), ['', 'x', ''])
  t.same(splitArgs('"it\'s"'), ["it's"])
  t.same(splitArgs("'say \"hi\"'"), ['say "hi"'])
})

t.test('backslashes', async t => {
  t.same(splitArgs('a\\ b'), ['a b'], 'outside quotes: the next character is literal')
  t.same(splitArgs('"a \\"b\\" \\\\ \\n"'), ['a "b" \\ \\n'], 'in double quotes: only \\" and \\\\ are escapes')
  t.same(splitArgs("'a\\b'"), ['a\\b'], 'single quotes: all literal')
  t.same(splitArgs('end\\'), ['end\\'], 'a trailing backslash stays')
})

t.test('no shell expansion', async t => {
  t.same(splitArgs('$HOME *.rpm ; rm -rf /'), ['$HOME', '*.rpm', ';', 'rm', '-rf', '/'])
})

t.test('an unterminated quote is an error', async t => {
  t.throws(() => splitArgs("'open"), /unterminated ' quote in: 'open/)
  t.throws(() => splitArgs('a "open'), /unterminated " quote/)
})
