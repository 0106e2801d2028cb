import t from 'tap'
import { parseHelperArgs } from '../fstab-helper/helper-args.js'

const plain = { device: 'mydev', mountpoint: '/mnt/x', options: '', fake: false, verbose: false, sloppy: false }

t.test('mount(8)\'s calling convention', async t => {
  t.same(parseHelperArgs(['mydev', '/mnt/x']), plain)
  t.same(parseHelperArgs(['mydev', '/mnt/x', '-o', 'rw,noauto']), { ...plain, options: 'rw,noauto' })
  t.same(parseHelperArgs(['mydev', '/mnt/x', '-f', '-v', '-o', 'ro']), { ...plain, options: 'ro', fake: true, verbose: true })
  t.same(parseHelperArgs(['mydev', '/mnt/x', '-sfnv', '-t', 'fuse.stalk']), { ...plain, fake: true, verbose: true, sloppy: true }, 'combined flags; -n has nothing to do')
  t.same(parseHelperArgs(['mydev', '/mnt/x', '-oro', '-o', 'allow_other', '-tstalk']), { ...plain, options: 'ro,allow_other' }, 'joined values; several -o add up')
  t.same(parseHelperArgs(['-v', 'mydev', '-o', 'ro', '/mnt/x']), { ...plain, options: 'ro', verbose: true }, 'flags anywhere')
})

t.test('what is not a call of this helper', async t => {
  t.same(parseHelperArgs(['mydev']), { error: 'DEVICE and MOUNTPOINT are required' })
  t.same(parseHelperArgs(['a', 'b', 'c']), { error: 'unexpected argument: c' })
  t.same(parseHelperArgs(['a', 'b', '-o']), { error: '-o needs a value' })
  t.same(parseHelperArgs(['a', 'b', '-x']), { error: 'unknown flag -x' })
  t.same(parseHelperArgs(['a', 'b', '-t', 'fuse.sshfs']), { error: '-t fuse.sshfs: this helper mounts fuse.stalk only' })
  t.match(parseHelperArgs(['a', 'b', '-N', '/proc/1/ns/mnt']), { error: /^-N: mount namespaces are not supported/ })
})
