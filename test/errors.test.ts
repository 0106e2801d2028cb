import t from 'tap'
import { FsError, BackendError, errnoOf } from '../src/errors.js'

t.test('errnoOf maps codes to negative Linux errnos', async t => {
  t.equal(errnoOf(new FsError('ENOENT', 'x')), -2)
  t.equal(errnoOf(Object.assign(new Error('x'), { code: 'EACCES' })), -13)
  t.equal(errnoOf(new BackendError('timeout', 'slow')), -110)
  t.equal(errnoOf(new BackendError('precondition-failed', 'changed')), -116)
  t.equal(errnoOf(new Error('plain')), undefined)
  t.equal(errnoOf(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' })), undefined)
})
