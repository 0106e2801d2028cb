#!/usr/bin/env bash
# stalk push-mode benchmark: the same workloads on the plain root folder
# (local), through stalk's push mount (stalk) and through bindfs (a C
# libfuse loopback), rounds interleaved: local stalk bindfs local stalk ...
#
#   npm run bench                 # full run (5 rounds, 1 GiB, 5,000 files, 10,000-entry ls)
#   npm run bench -- --quick      # smoke run: small sizes, 1 round, < ~1 min
#   bash bench/run.sh --rounds 5 --variants "local stalk bindfs bindfs_mt"
#   npm run bench -- pull [--quick]   # the pull-mode benchmark instead (bench/pull.sh)
#
# Scratch (backing tree, mirror target, state dir, mount points, logs, raw
# samples) lives under $STALK_BENCH_DIR (default /tmp/stalk-bench). Results:
# bench/results/push-YYYYMMDD-HHMM.{md,json} (--quick: bench/results/tmp/).
# See bench/README.md for what each row measures.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

usage() {
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
  cat <<'EOF'

Options:
  --quick            small sizes (256 MiB, 1,000 files, 2,000 entries), 1 round
  --rounds N         interleaved rounds (default 5; --quick: 1)
  --variants "..."   any of: local stalk bindfs bindfs_mt (default "local stalk bindfs")
  --no-build         do not run `npm run build` first
Environment: STALK_BENCH_DIR, SIZE_MB, META_N, LS_N, RR_IO_MB, BINDFS_OPTS,
RESULTS_DIR, QUIET_IDLE (% idle CPU to wait for before each workload, default 80),
QUIET_WAIT (longest wait for it in s, default 20; --quick: 3),
STALK_NO_UNSHARE=1 (do not run in a private mount namespace).
EOF
}

# `npm run bench -- pull [OPTIONS]`: the pull-mode benchmark (bench/pull.sh).
[ "${1:-}" = pull ] && { shift; exec bash "$HERE/pull.sh" "$@"; }

QUICK=0; BUILD=1; ROUNDS_ARG=; VARIANTS_ARG=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS_ARG=${2:?--rounds needs a number}; shift ;;
    --variants) VARIANTS_ARG=${2:?--variants needs a list}; shift ;;
    --no-build) BUILD=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || { echo "bench: run as root (FUSE mounts, /proc/PID/clear_refs of the daemons)" >&2; exit 1; }

# A private mount namespace: whatever happens, no mount of ours outlives the run.
if [ -z "${STALK_BENCH_IN_NS:-}" ] && [ -z "${STALK_NO_UNSHARE:-}" ] && command -v unshare >/dev/null; then
  export STALK_BENCH_IN_NS=1
  args=(); [ "$QUICK" = 1 ] && args+=(--quick); [ "$BUILD" = 0 ] && args+=(--no-build)
  [ -n "$ROUNDS_ARG" ] && args+=(--rounds "$ROUNDS_ARG"); [ -n "$VARIANTS_ARG" ] && args+=(--variants "$VARIANTS_ARG")
  exec unshare -m --propagation private -- bash "$0" "${args[@]}"
fi

# ---------------------------------------------------------------- settings
if [ "$QUICK" = 1 ]; then
  SIZE_MB=${SIZE_MB:-256}; META_N=${META_N:-1000}; LS_N=${LS_N:-2000}; RR_IO_MB=${RR_IO_MB:-8}; ROUNDS=${ROUNDS_ARG:-1}
else
  SIZE_MB=${SIZE_MB:-1024}; META_N=${META_N:-5000}; LS_N=${LS_N:-10000}; RR_IO_MB=${RR_IO_MB:-64}; ROUNDS=${ROUNDS_ARG:-5}
fi
VARIANTS=${VARIANTS_ARG:-"local stalk bindfs"}
QUIET_IDLE=${QUIET_IDLE:-80}; QUIET_WAIT=${QUIET_WAIT:-$([ "$QUICK" = 1 ] && echo 3 || echo 20)}
# bindfs: libfuse 2 like stalk's fuse-native; big_writes because stalk mounts with it; no
# allow_other because stalk does not add it unless asked (-a). Single-threaded (bindfs' default).
BINDFS_OPTS=${BINDFS_OPTS:-"--no-allow-other -o big_writes"}
BENCH_DIR=${STALK_BENCH_DIR:-/tmp/stalk-bench}
STAMP=$(date +%Y%m%d-%H%M)
if [ "$QUICK" = 1 ]; then RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/tmp}; NAME=push-quick-$STAMP
else RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results}; NAME=push-$STAMP; fi

DATA=$BENCH_DIR/data            # the root folder of every variant
MIRROR=$BENCH_DIR/mirror        # stalk's [target] (only written at startup/unmount rounds)
STATE=$BENCH_DIR/state          # stalk's state_dir
MNTS=$BENCH_DIR/mnt
LOGS=$BENCH_DIR/logs
RUN=$BENCH_DIR/run-$STAMP
SAMPLES=$RUN/samples.tsv
BIG=big/file${SIZE_MB}m
LSDIR=ls$LS_N
CFG=$BENCH_DIR/stalk.ini

# ---------------------------------------------------------------- helpers
# now since log die rec rss_kib reset_hwm proc_cpu proc_ctxsw sub evict prefault_mb wait_quiet wait_gone
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
warm_backing() { dd if="$DATA/$BIG" of=/dev/null bs=1M status=none; }

# ---------------------------------------------------------------- mounts
STARTED_PIDS=()   # every daemon this run started, killed on exit if still alive
FS=; FS_PID=; MNT=

wait_mounted() { # MNT PID(optional)
  local i
  for i in $(seq 1 300); do
    mountpoint -q "$1" && stat "$1/big" >/dev/null 2>&1 && return 0
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
    sleep 0.05
  done
  return 1
}

# The stem daemon detaches itself; its pid is the first word of state_dir/lock.
stalk_pid() {
  local pid
  pid=$(awk '{print $1; exit}' "$STATE/lock" 2>/dev/null) || return 1
  [ -n "$pid" ] && grep -q "$CFG" "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# Wait until the daemon has no child process (the startup sync round runs rsync).
wait_no_children() {
  local i
  for i in $(seq 1 1200); do
    pgrep -P "$1" >/dev/null || return 0
    sleep 0.1
  done
  log "warning: daemon $1 still has children after 120 s"
}

start_fs() { # VARIANT
  V=$1; FS_PID=; MNT=
  case $V in
    local) FS=$DATA; return 0 ;;
    stalk)
      MNT=$MNTS/stalk
      (cd "$REPO" && node bin/stem.js -c "$CFG" "$MNT") >>"$LOGS/stem.out" 2>&1 \
        || { tail -5 "$LOGS/stem.out" >&2; die "stem did not mount (see $LOGS/stem.out)"; }
      FS_PID=$(stalk_pid) || die "cannot find the stem daemon's pid in $STATE/lock"
      STARTED_PIDS+=("$FS_PID")
      wait_mounted "$MNT" "$FS_PID" || die "stalk mount at $MNT does not answer"
      wait_no_children "$FS_PID" ;;
    bindfs|bindfs_mt)
      MNT=$MNTS/$V
      local extra=(); [ "$V" = bindfs_mt ] && extra=(--multithreaded)
      # shellcheck disable=SC2086
      bindfs -f $BINDFS_OPTS "${extra[@]}" "$DATA" "$MNT" >>"$LOGS/$V.log" 2>&1 &
      FS_PID=$!; STARTED_PIDS+=("$FS_PID")
      wait_mounted "$MNT" "$FS_PID" || { tail -5 "$LOGS/$V.log" >&2; die "bindfs did not mount"; } ;;
    *) die "unknown variant $V (local stalk bindfs bindfs_mt)" ;;
  esac
  FS=$MNT
}

stop_fs() {
  [ -n "$MNT" ] || return 0
  umount "$MNT" 2>/dev/null || { sleep 1; umount "$MNT" 2>/dev/null; } || umount -l "$MNT" 2>/dev/null
  if [ -n "$FS_PID" ]; then
    # stalk runs its final sync round after the umount (rsync of what changed): let it finish.
    wait_gone "$FS_PID" 180 || { log "daemon $FS_PID did not exit after umount; SIGTERM"; kill -TERM "$FS_PID" 2>/dev/null; }
    wait_gone "$FS_PID" 30 || { log "daemon $FS_PID still alive; SIGKILL"; kill -KILL "$FS_PID" 2>/dev/null; }
    wait "$FS_PID" 2>/dev/null
  fi
  MNT=; FS_PID=
}

cleanup() {
  local m p
  for m in "$MNTS"/*; do
    mountpoint -q "$m" 2>/dev/null && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
  done
  for p in "${STARTED_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || continue
    wait_gone "$p" 20 || kill -TERM "$p" 2>/dev/null
    wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null
  done
  rm -f "$BENCH_DIR/prefault.tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- workloads
# Each takes one sample on the variant mounted now ($FS, $FS_PID).

wl_ls() {   # ls -l of the LS_N-entry dir: the first listing after the fresh mount, then again
  local t
  t=$(now); ls -l "$FS/$LSDIR" >/dev/null; rec ls_cold_s "$(since "$t")" s
  t=$(now); ls -l "$FS/$LSDIR" >/dev/null; rec ls_warm_s "$(since "$t")" s
}

time_read() { local t; t=$(now); dd if="$1" of=/dev/null bs=1M status=none || return 1; since "$t"; }

wl_seqread() {   # sequential read, bs=1M: FUSE page cache evicted, backing file in the page cache
  local t c0 x0
  warm_backing
  # untimed pass, then evict: the timed pass reuses just-freed page-cache memory
  if [ -n "$FS_PID" ]; then evict "$FS/$BIG"; time_read "$FS/$BIG" >/dev/null; evict "$FS/$BIG"; warm_backing; fi
  [ -n "$FS_PID" ] && { reset_hwm "$FS_PID"; c0=$(proc_cpu "$FS_PID"); x0=$(proc_ctxsw "$FS_PID"); }
  t=$(time_read "$FS/$BIG") || { log "read failed on $V"; return; }
  rec seqread_s "$t" s
  if [ -n "$FS_PID" ]; then
    rec seqread_cpu_s_per_gib "$(sub "$c0" "$(proc_cpu "$FS_PID")" "$(awk -v s="$SIZE_MB" 'BEGIN{print 1024/s}')")" s
    rec seqread_ctxsw_per_mib "$(sub "$x0" "$(proc_ctxsw "$FS_PID")" "$(awk -v s="$SIZE_MB" 'BEGIN{print 1/s}')" %.2f)" n
  fi
}

wl_randread() {   # 4 KiB random reads, fio psync, 1 job, QD1, RR_IO_MB MiB in total
  local out iops lat c0 n=$(( RR_IO_MB * 256 ))
  command -v fio >/dev/null || return 0
  warm_backing; [ -n "$FS_PID" ] && evict "$FS/$BIG"
  [ -n "$FS_PID" ] && c0=$(proc_cpu "$FS_PID")
  out=$(fio --name=rr --filename="$FS/$BIG" --rw=randread --bs=4k --ioengine=psync --iodepth=1 \
            --numjobs=1 --io_size="${RR_IO_MB}m" --size="${SIZE_MB}m" --invalidate=0 \
            --output-format=json 2>>"$LOGS/fio.err") || { log "fio failed on $V"; return; }
  iops=$(node -e 'const j=JSON.parse(require("fs").readFileSync(0,"utf8")).jobs[0].read; console.log(j.iops.toFixed(0), (j.clat_ns.mean/1000).toFixed(2))' <<<"$out")
  read -r iops lat <<<"$iops"
  rec randread_iops "$iops" iops
  rec randread_lat_us "$lat" us
  [ -n "$FS_PID" ] && rec randread_cpu_us_per_op "$(sub "$c0" "$(proc_cpu "$FS_PID")" "$(awk -v n="$n" 'BEGIN{print 1e6/n}')" %.1f)" us
}

# write_pass NAME DD_EXTRA...: untimed pass (prefault), then the timed one
write_pass() {
  local name=$1 t c0; shift
  mkdir -p "$FS/work"
  dd if=/dev/zero of="$FS/work/w.bin" bs=1M count="$SIZE_MB" status=none; rm -f "$FS/work/w.bin"
  [ -n "$FS_PID" ] && { reset_hwm "$FS_PID"; c0=$(proc_cpu "$FS_PID"); }
  t=$(now)
  dd if=/dev/zero of="$FS/work/w.bin" bs=1M count="$SIZE_MB" status=none "$@" || { log "write failed on $V"; rm -f "$FS/work/w.bin"; return; }
  rec "${name}_s" "$(since "$t")" s
  if [ -n "$FS_PID" ]; then
    rec "${name}_cpu_s_per_gib" "$(sub "$c0" "$(proc_cpu "$FS_PID")" "$(awk -v s="$SIZE_MB" 'BEGIN{print 1024/s}')")" s
  fi
  rm -f "$FS/work/w.bin"; sync
  # let the discards of the freed extents finish before the next step
  [ "$name" = seqwrite_fsync ] && sleep 1
}
wl_seqwrite() { write_pass seqwrite; }                    # into the backing page cache, no fsync
wl_seqwrite_fsync() { write_pass seqwrite_fsync conv=fsync; }  # dd fsyncs before it exits: data on disk

wl_meta() {   # META_N x (create + 4 KiB write + close), stat all, unlink all
  local out k
  out=$(node "$HERE/meta.mjs" "$FS/work/meta-$V-$ROUND" "$META_N" 4096) || { log "meta failed on $V"; return; }
  for k in create stat unlink total; do
    rec "meta_${k}_s" "$(node -e 'console.log(JSON.parse(process.argv[1])[process.argv[2]+"_s"])' "$out" "$k")" s
  done
}

# ls first: "cold" = the first listing after a fresh mount. meta before the writes: deleting the
# fsynced 1 GiB file makes ext4 (mounted with discard here) issue discards at its next commit,
# which stalled the creates right after it by seconds.
WORKLOADS="ls seqread randread meta seqwrite seqwrite_fsync"

# ---------------------------------------------------------------- setup
for v in $VARIANTS; do
  case $v in
    local|stalk) ;;
    bindfs|bindfs_mt) command -v bindfs >/dev/null || die "bindfs is missing: apt-get install -y bindfs" ;;
    *) die "unknown variant $v (local stalk bindfs bindfs_mt)" ;;
  esac
done
command -v fio >/dev/null || log "fio is missing (apt-get install -y fio): the random-read row is skipped"
[ -e /dev/fuse ] || die "/dev/fuse is missing"

mkdir -p "$DATA/big" "$DATA/$LSDIR" "$DATA/work" "$MIRROR" "$STATE" "$MNTS/stalk" "$MNTS/bindfs" "$MNTS/bindfs_mt" "$LOGS" "$RUN" "$RESULTS_DIR" \
  || die "cannot create $BENCH_DIR"
cleanup   # mounts left by an earlier, killed run
: >"$SAMPLES"

if [ "$BUILD" = 1 ]; then
  log "building stalk (npm run build)"
  (cd "$REPO" && npm run --silent build) >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; die "npm run build failed"; }
fi
[ -f "$REPO/dist/src/cli/main.js" ] || die "stalk is not built: npm run build"

if [ "$(stat -c %s "$DATA/$BIG" 2>/dev/null)" != $(( SIZE_MB * 1048576 )) ]; then
  log "creating $DATA/$BIG ($SIZE_MB MiB of random bytes)"
  head -c "${SIZE_MB}M" /dev/urandom >"$DATA/$BIG.tmp" && mv "$DATA/$BIG.tmp" "$DATA/$BIG" || die "cannot create $DATA/$BIG"
fi
if [ "$(find "$DATA/$LSDIR" -mindepth 1 -maxdepth 1 | wc -l)" != "$LS_N" ]; then
  log "creating $DATA/$LSDIR ($LS_N empty files)"
  find "$DATA/$LSDIR" -mindepth 1 -delete
  (cd "$DATA/$LSDIR" && seq -w 1 "$LS_N" | xargs -n 1000 touch)
fi
rm -rf "${DATA:?}/work"/* 2>/dev/null
# ext4 without a journal (as here) makes every create scan past the inodes deleted in its block
# group in the last 60-360 s (ext4's recently_deleted()): the 2nd and later small-file runs took
# 2.5 s instead of 0.2 s locally. With the Orlov "top directory" flag each new meta-* dir lands in
# a random block group, away from the previous run's deleted inodes. No effect elsewhere.
chattr +T "$DATA/work" 2>/dev/null || true

# timeout 1h: no sync round starts while the benchmark runs; the target is a local folder.
cat >"$CFG" <<EOF
[global]
root: $DATA
timeout: 1h
max_wait: 2h
state_dir: $STATE
log: $LOGS/stalk.log

[target]
mirror: $MIRROR
EOF

# One untimed stalk mount first: a fresh state dir owes the target a full
# mirror, which stalk delivers at startup; after this no round runs at mount.
if [[ " $VARIANTS " == *" stalk "* ]]; then
  log "first stalk mount (initial mirror of $DATA to the target, untimed)"
  V=stalk; start_fs stalk; stop_fs
fi

# ---------------------------------------------------------------- rounds
git_rev=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null)
git_dirty=$(cd "$REPO" && git status --porcelain -- src backends plugins 2>/dev/null | wc -l)
cat >"$RUN/env.json" <<EOF
{"date":"$(date -Is)","host":"$(hostname)","kernel":"$(uname -r)","cpus":$(nproc),
 "mem_gib":$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo),
 "node":"$(node --version)","bindfs":"$(bindfs --version 2>/dev/null | head -1)",
 "bindfs_fuse":"$(ldd "$(command -v bindfs 2>/dev/null || echo /nonexistent)" 2>/dev/null | awk '/libfuse/{print $1; exit}')",
 "fio":"$(fio --version 2>/dev/null)","backing_fs":"$(findmnt -n -o FSTYPE,OPTIONS --target "$DATA" | tr -s ' ' | tr '\t' ' ')",
 "stalk_commit":"$git_rev","stalk_uncommitted_source_files":$git_dirty,
 "quick":$QUICK,"rounds":$ROUNDS,"variants":"$VARIANTS","size_mib":$SIZE_MB,"meta_n":$META_N,"ls_n":$LS_N,"randread_mib":$RR_IO_MB,
 "bindfs_opts":"$BINDFS_OPTS","workloads":"$WORKLOADS","quiet_idle":$QUIET_IDLE,"quiet_wait":$QUIET_WAIT}
EOF

T_START=$(now)
for ROUND in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do
    log "round $ROUND/$ROUNDS: $v"
    start_fs "$v"
    peak=0
    if [ -n "$FS_PID" ]; then
      sleep 1; rec idle_rss "$(rss_kib "$FS_PID")" KiB
    fi
    for w in $WORKLOADS; do
      wait_quiet "$w"
      [ -n "$FS_PID" ] && reset_hwm "$FS_PID"
      "wl_$w"
      if [ -n "$FS_PID" ]; then   # VmHWM was reset before the workload (and before its timed part)
        hwm=$(rss_kib "$FS_PID" VmHWM); rec "${w}_peak_rss" "$hwm" KiB
        [ "${hwm:-0}" -gt "$peak" ] && peak=$hwm
      fi
      if [ -n "$FS_PID" ] && ! { kill -0 "$FS_PID" 2>/dev/null && stat "$MNT" >/dev/null 2>&1; }; then
        log "!! $v died during $w (round $ROUND); remounting"
        rec "crash_$w" 1 n
        stop_fs; start_fs "$v"
      fi
    done
    if [ -n "$FS_PID" ]; then
      rec round_peak_rss "$peak" KiB                 # the largest of the per-workload peaks
      sleep 1; rec end_rss "$(rss_kib "$FS_PID")" KiB  # after all workloads, idle again
    fi
    stop_fs
  done
done
log "rounds done in $(since "$T_START") s"

# ---------------------------------------------------------------- report
node "$HERE/summarize.mjs" "$SAMPLES" "$RUN/env.json" "$RESULTS_DIR/$NAME.json" >"$RESULTS_DIR/$NAME.md" \
  || die "summarize failed (raw samples: $SAMPLES)"
cat "$RESULTS_DIR/$NAME.md"
log "results: $RESULTS_DIR/$NAME.md and $NAME.json; raw samples: $SAMPLES"
