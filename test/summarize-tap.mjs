// Reads a raw TAP stream on stdin, passes it through to stdout, and ends with
// one line "N passed, M failed" counting leaf assertions (a subtest's own
// summary line counts only when it failed without any failing assertion in
// it: a crash or a timeout). Skips and todos are reported on the line before.
import { Parser } from 'tap-parser'

const totals = { pass: 0, fail: 0, skip: 0, todo: 0 }

/** Returns a function telling how many failures were counted under this parser. */
function attach (parser) {
  let pendingChild = null
  let failures = 0
  parser.on('child', child => { pendingChild = attach(child) })
  parser.on('assert', res => {
    if (pendingChild) {
      const childFailures = pendingChild()
      pendingChild = null
      if (!res.ok && !res.todo && childFailures === 0) { totals.fail++; failures++ }
      failures += childFailures
      return
    }
    if (res.skip) totals.skip++
    else if (res.todo) totals.todo++
    else if (res.ok) totals.pass++
    else { totals.fail++; failures++ }
  })
  return () => failures
}

const parser = new Parser()
const top = attach(parser)
let bailedOut = false
parser.on('bailout', () => { bailedOut = true })
parser.on('complete', () => {
  top()
  if (bailedOut) totals.fail++
  console.log(`# ${totals.skip} skipped, ${totals.todo} todo`)
  console.log(`${totals.pass} passed, ${totals.fail} failed`)
})
process.stdin.on('data', d => { process.stdout.write(d); parser.write(d) })
process.stdin.on('end', () => parser.end())
