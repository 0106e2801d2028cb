#!/usr/bin/env bash
# The project's test command (README.md, .ci/run): builds, then runs every
# test file with tap inside a private mount namespace, so that a crashed test
# can never leave a FUSE mount behind on the host. The last line printed is
# "N passed, M failed". Extra arguments go to tap (e.g. a test file).
set -uo pipefail
cd "$(dirname "$0")/.."
npm run --silent build || exit 1
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && [ -z "${STALK_NO_UNSHARE:-}" ]; then
  ns=(unshare -m --propagation private --)
else
  ns=()
fi
"${ns[@]}" npx tap --reporter=tap --disable-coverage "$@" | node test/summarize-tap.mjs
status=("${PIPESTATUS[@]}")
[ "${status[0]}" = 0 ] && [ "${status[1]}" = 0 ]
