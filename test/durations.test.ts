import t from 'tap'
import { formatDuration, MAX_TIMER_MS, parseDuration, parseSize } from '../src/config/durations.js'

t.test('plain numbers are seconds, as in the original configs', async t => {
  t.equal(parseDuration('600'), 600_000)
  t.equal(parseDuration('10'), 10_000)
  t.equal(parseDuration('0.5'), 500)
  t.equal(parseDuration('.25'), 250)
  t.equal(parseDuration('0'), 0)
  t.equal(parseDuration(' 100 '), 100_000, 'surrounding blanks are ignored')
})

t.test('units and combinations', async t => {
  t.equal(parseDuration('500ms'), 500)
  t.equal(parseDuration('10s'), 10_000)
  t.equal(parseDuration('10m'), 600_000)
  t.equal(parseDuration('2h'), 7_200_000)
  t.equal(parseDuration('1d'), 86_400_000)
  t.equal(parseDuration('1.5m'), 90_000)
  t.equal(parseDuration('1m30s'), 90_000)
  t.equal(parseDuration('1h 30m'), 5_400_000)
  t.equal(parseDuration('1m500ms'), 60_500, 'ms is not read as minutes')
})

t.test('anything else is refused with the value and an example', async t => {
  for (const bad of ['abc', '', '10x', '-5', '10 m s', 'm', '1e3', '10M', '1,5', '10mss', '5 s']) {
    t.throws(() => parseDuration(bad), { name: 'RangeError', message: `"${bad}" is not a duration (e.g. 600 or 10m)` }, bad)
  }
})

t.test('limits', async t => {
  t.equal(parseDuration('24d', { maxMs: MAX_TIMER_MS }), 24 * 86_400_000)
  t.throws(() => parseDuration('30d', { maxMs: MAX_TIMER_MS }), { message: '"30d" is too long (at most 24d20h31m23s647ms)' })
  t.throws(() => parseDuration('0', { minMs: 1 }), { message: '"0" is too short (at least 1ms)' })
  t.equal(parseDuration('365d'), 365 * 86_400_000, 'no upper limit unless asked')
})

t.test('formatDuration', async t => {
  t.equal(formatDuration(0), '0ms')
  t.equal(formatDuration(999), '999ms')
  t.equal(formatDuration(1000), '1s')
  t.equal(formatDuration(90_000), '1m30s')
  t.equal(formatDuration(3_600_000), '1h')
  t.equal(formatDuration(86_400_000 + 1500), '1d1s500ms')
})

t.test('sizes are bytes or binary multiples', async t => {
  t.equal(parseSize('4096'), 4096)
  t.equal(parseSize('512k'), 512 * 1024)
  t.equal(parseSize('512K'), 512 * 1024)
  t.equal(parseSize('10M'), 10 * 1024 * 1024)
  t.equal(parseSize('10MB'), 10 * 1024 * 1024)
  t.equal(parseSize('10MiB'), 10 * 1024 * 1024)
  t.equal(parseSize('1G'), 1024 ** 3)
  t.equal(parseSize('1.5G'), 1.5 * 1024 ** 3)
  t.equal(parseSize('2 T'), 2 * 1024 ** 4)
  t.equal(parseSize('100b'), 100)
})

t.test('bad sizes are refused', async t => {
  for (const bad of ['', 'M', '10X', '-1', '10 MB MB', 'ten']) {
    t.throws(() => parseSize(bad), { name: 'RangeError', message: `"${bad}" is not a size (e.g. 10M, 512k or a number of bytes)` }, bad)
  }
  t.throws(() => parseSize('99999999999T'), { message: '"99999999999T" is too large' })
})
