import t from 'tap'
import { ChangeWindow } from '../src/push/change-window.js'

t.test('nothing due without changes', async t => {
  t.equal(new ChangeWindow(100, 1000).due(), undefined)
})

t.test('quiet time counts from the last change, capped by max wait from the first', async t => {
  const w = new ChangeWindow(100, 250)
  w.note(0)
  t.equal(w.due(), 100)
  t.equal(w.reason(), 'quiet')
  w.note(90)
  t.equal(w.due(), 190)
  w.note(180)
  t.equal(w.due(), 250, 'max wait wins')
  t.equal(w.reason(), 'max-wait')
  w.reset()
  t.equal(w.due(), undefined)
  w.note(300)
  t.equal(w.due(), 400, 'a new window after reset')
})
