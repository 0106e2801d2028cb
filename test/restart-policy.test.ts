import t from 'tap'
import {
  createRestartPolicy, decideRestart, DEFAULT_RESTART_LIMITS, NO_RESTARTS, type RestartDecision, type RestartHistory
} from '../src/cli/restart-policy.js'

const MIN = 60_000

/** Deaths at the given times (ms), each after `liveMs` of service; the decisions in order. */
function deaths (times: readonly number[], liveMs = 0, limits = DEFAULT_RESTART_LIMITS): RestartDecision[] {
  let history: RestartHistory = NO_RESTARTS
  return times.map(at => {
    const d = decideRestart(history, at, liveMs, limits)
    history = d.history
    return d
  })
}

const delays = (ds: readonly RestartDecision[]): Array<number | string> => ds.map(d => d.action === 'restart' ? d.delayMs : d.action)

t.test('quick deaths back off 1 s, 2 s, 4 s, 8 s, 16 s, and the sixth within 10 min gives up', async t => {
  const ds = deaths([0, 2000, 5000, 10_000, 19_000, 36_000])
  t.same(delays(ds), [1000, 2000, 4000, 8000, 16_000, 'give-up'])
  const last = ds.at(-1)
  t.match(last, { action: 'give-up', reason: /died 6 times within 10 min \(at most 5 restarts\)/ }, 'the reason says what the limit is')
})

t.test('the delay stops at 60 s', async t => {
  const many = { ...DEFAULT_RESTART_LIMITS, maxRestarts: 100 }
  const ds = deaths(Array.from({ length: 9 }, (_, i) => i * 1000), 0, many)
  t.same(delays(ds), [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
})

t.test('the bound is per window: restarts older than 10 min no longer count', async t => {
  // five quick deaths, then a sixth just after the first left the window
  const ds = deaths([0, 1000, 2000, 3000, 4000, 10 * MIN])
  t.equal(ds.at(-1)?.action, 'restart', 'restarted: only 4 restarts lie within the last 10 min')
  const right = deaths([0, 1000, 2000, 3000, 4000, 10 * MIN - 1])
  t.equal(right.at(-1)?.action, 'give-up', 'one ms earlier all five are inside the window')
})

t.test('a long healthy run starts the backoff over', async t => {
  let history: RestartHistory = NO_RESTARTS
  for (const at of [0, 1000, 3000]) history = decideRestart(history, at, 0).history
  t.equal(history.streak, 3, 'three quick deaths in a row')
  const afterQuick = decideRestart(history, 4000, 59_999)
  t.match(afterQuick, { action: 'restart', delayMs: 8000 }, 'just under 60 s live is still quick')
  const afterHealthy = decideRestart(history, 4000, 60_000)
  t.match(afterHealthy, { action: 'restart', delayMs: 1000, history: { streak: 1 } }, '60 s live: back to 1 s')
})

t.test('a healthy run does not lift the bound', async t => {
  // five restarts close together, each after a healthy minute: the count still applies
  const ds = deaths([0, 1000, 2000, 3000, 4000, 5000], 60_000)
  t.same(delays(ds), [1000, 1000, 1000, 1000, 1000, 'give-up'])
})

t.test('createRestartPolicy measures the live time on its clock', async t => {
  let now = 0
  const policy = createRestartPolicy(DEFAULT_RESTART_LIMITS, { now: () => now })
  policy.live()
  now = 5000
  t.match(policy.died(), { action: 'restart', delayMs: 1000 }, 'first death')
  now = 6000
  t.match(policy.died(), { action: 'restart', delayMs: 2000 }, 'never live since: quick')
  now = 7000
  policy.live()
  now = 7000 + 2 * MIN
  t.match(policy.died(), { action: 'restart', delayMs: 1000 }, 'live two minutes: the backoff starts over')
  for (let i = 1; i <= 2; i++) {
    now += 1000
    t.equal(policy.died().action, 'restart', `quick death ${i} after that`)
  }
  now += 1000
  const last = policy.died()
  t.match(last, { action: 'give-up' }, 'the sixth death within 10 min of the first gives up')
  now += 11 * MIN
  t.match(policy.died(), { action: 'restart' }, 'eleven minutes later the window is empty again')
})
