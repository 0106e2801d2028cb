#!/usr/bin/env bash
# stalk pull-mode benchmark: one file read through stalk's pull mount from
# each kind of origin, against the origin's own client and the FUSE peers
# (rclone mount, sshfs, s3fs), then the same file warm from stalk's cache
# against the cached file itself and bindfs over the cache folder; rounds
# interleaved (every variant once per round, mounted fresh each time).
#
#   npm run bench -- pull             # full run: 256 MiB, 5 rounds, Ceph RGW for S3 (~13 min)
#   npm run bench -- pull --quick     # smoke run: 64 MiB, 1 round, no Ceph (< 2 min)
#   bash bench/pull.sh --rounds 3 --variants "http_curl http_stalk warm_bindfs warm_stalk"
#
# Origins: nginx (HTTP), OpenSSH sshd (SFTP, rsync over ssh), an rsync
# daemon and Ceph RGW (S3), started by this script on 127.0.0.1 and stopped
# at exit. Scratch lives under $STALK_BENCH_PULL_DIR (default
# /tmp/stalk-bench-pull). Results: bench/results/pull-YYYYMMDD-HHMM.{md,json}
# (--quick: bench/results/tmp/). See bench/README.md for what each row measures.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

ALL_VARIANTS="http_curl http_stalk http_rclone_full http_rclone_off
sftp_get sftp_scp sftp_stalk sftp_sshfs sftp_rclone_full sftp_rclone_off
rsyncd_rsync rsyncd_stalk rsyncssh_rsync rsyncssh_stalk
s3_sdk s3_stalk s3_rclone_full s3_rclone_off s3_s3fs
warm_direct warm_bindfs warm_stalk"

usage() {
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF

Options:
  --quick            64 MiB, 1 round, no Ceph (so no s3_* variants)
  --rounds N         interleaved rounds (default 5; --quick: 1)
  --variants "..."   a subset of (default: all; s3_* need Ceph):
$(echo "$ALL_VARIANTS" | sed 's/^/                       /')
  --no-ceph          skip Ceph RGW and the s3_* variants
  --no-build         do not run \`npm run build\` first
Environment: STALK_BENCH_PULL_DIR, SIZE_MB, RESULTS_DIR, QUIET_IDLE (% idle CPU to
wait for before each sample, default 80), QUIET_WAIT (longest wait in s, default 10;
--quick: 3), STALK_NO_UNSHARE=1 (do not run in a private mount namespace).
EOF
}

QUICK=0; BUILD=1; CEPH=1; ROUNDS_ARG=; VARIANTS_ARG=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --rounds) ROUNDS_ARG=${2:?--rounds needs a number}; shift ;;
    --variants) VARIANTS_ARG=${2:?--variants needs a list}; shift ;;
    --no-ceph) CEPH=0 ;;
    --no-build) BUILD=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

[ "$(id -u)" = 0 ] || { echo "bench: run as root (FUSE mounts, sshd, /proc/PID/clear_refs of the daemons)" >&2; exit 1; }

# A private mount namespace: whatever happens, no mount of ours outlives the run.
if [ -z "${STALK_BENCH_IN_NS:-}" ] && [ -z "${STALK_NO_UNSHARE:-}" ] && command -v unshare >/dev/null; then
  export STALK_BENCH_IN_NS=1
  args=(); [ "$QUICK" = 1 ] && args+=(--quick); [ "$BUILD" = 0 ] && args+=(--no-build); [ "$CEPH" = 0 ] && args+=(--no-ceph)
  [ -n "$ROUNDS_ARG" ] && args+=(--rounds "$ROUNDS_ARG"); [ -n "$VARIANTS_ARG" ] && args+=(--variants "$VARIANTS_ARG")
  exec unshare -m --propagation private -- bash "$0" "${args[@]}"
fi

# ---------------------------------------------------------------- settings
if [ "$QUICK" = 1 ]; then
  SIZE_MB=${SIZE_MB:-64}; ROUNDS=${ROUNDS_ARG:-1}; CEPH=0
else
  SIZE_MB=${SIZE_MB:-256}; ROUNDS=${ROUNDS_ARG:-5}
fi
VARIANTS=$(echo ${VARIANTS_ARG:-$ALL_VARIANTS})
if [ "$CEPH" = 0 ]; then
  VARIANTS=$(for v in $VARIANTS; do case $v in s3_*) ;; *) echo "$v" ;; esac; done | xargs)
elif [[ " $VARIANTS " != *" s3_"* ]]; then
  CEPH=0   # nothing asks for S3: do not start Ceph
fi
QUIET_IDLE=${QUIET_IDLE:-80}; QUIET_WAIT=${QUIET_WAIT:-$([ "$QUICK" = 1 ] && echo 3 || echo 10)}
BENCH_DIR=${STALK_BENCH_PULL_DIR:-/tmp/stalk-bench-pull}
STAMP=$(date +%Y%m%d-%H%M)
if [ "$QUICK" = 1 ]; then RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results/tmp}; NAME=pull-quick-$STAMP
else RESULTS_DIR=${RESULTS_DIR:-$REPO/bench/results}; NAME=pull-$STAMP; fi

FILE=file${SIZE_MB}m           # the file every origin serves, and its name in every mount
SIZE=$(( SIZE_MB * 1048576 ))
ORIGIN=$BENCH_DIR/origin        # what nginx, sshd, rsyncd serve (and what is uploaded to S3)
SRV=$BENCH_DIR/servers
MNTS=$BENCH_DIR/mnt
CACHE=$BENCH_DIR/cache          # stalk's cachedir for the cold reads (emptied before each mount)
WARM_CACHE=$BENCH_DIR/warm-cache  # stalk's cachedir for the warm reads (filled once, kept)
RCACHE=$BENCH_DIR/rclone-cache  # rclone's --cache-dir (emptied before each mount)
CONF=$BENCH_DIR/conf
DL=$BENCH_DIR/dl                # where the raw clients download to
LOGS=$BENCH_DIR/logs
RUN=$BENCH_DIR/run-$STAMP
SAMPLES=$RUN/samples.tsv
BUCKET=bench
# rclone: read-only like stalk, everything else rclone's defaults (PERF-BASELINE.md section 3).
RCLONE_OPTS=${RCLONE_OPTS:-"--read-only"}
SSHFS_OPTS=${SSHFS_OPTS:-"-o ro"}
S3FS_OPTS=${S3FS_OPTS:-"-o ro"}
BINDFS_OPTS=${BINDFS_OPTS:-"--no-allow-other -r"}

# ---------------------------------------------------------------- helpers
# now since log die rec rss_kib reset_hwm proc_cpu sub prefault_mb wait_quiet wait_gone
# shellcheck source=bench/lib.sh
source "$HERE/lib.sh"
# shellcheck source=bench/pull-servers.sh
source "$HERE/pull-servers.sh"

# The origin copy in the page cache (nginx, sshd and rsync read it from there).
warm_origin() { dd if="$ORIGIN/$FILE" of=/dev/null bs=1M status=none; }

# A process and its live children (sshfs runs ssh; stalk runs rsync): summed RSS in KiB,
# and CPU seconds including children already reaped.
tree_pids() { echo "$1" $(pgrep -P "$1"); }
tree_rss() { local p s=0 v; for p in $(tree_pids "$1"); do v=$(rss_kib "$p" "${2:-VmRSS}"); s=$(( s + ${v:-0} )); done; echo "$s"; }
tree_reset_hwm() { local p; for p in $(tree_pids "$1"); do reset_hwm "$p"; done; }
tree_cpu() {
  local hz p s=0; hz=$(getconf CLK_TCK)
  s=$(awk -v hz="$hz" '{printf "%.3f", ($14+$15+$16+$17)/hz}' "/proc/$1/stat" 2>/dev/null || echo 0)
  for p in $(pgrep -P "$1"); do s=$(awk -v a="$s" -v b="$(proc_cpu "$p")" 'BEGIN{printf "%.3f", a+b}'); done
  echo "$s"
}

# read_split FILE: opens FILE (for stalk: lookup, fetch, commit), then reads it with dd bs=1M;
# prints "TOTAL OPEN READ" in seconds, or fails when the open or the read fails or comes short.
read_split() {
  local t0 t1 t2 out
  t0=$EPOCHREALTIME
  exec 3<"$1" || return 1
  t1=$EPOCHREALTIME
  out=$(dd of=/dev/null bs=1M status=noxfer <&3 2>&1); local rc=$?
  t2=$EPOCHREALTIME
  exec 3<&-
  [ "$rc" = 0 ] || { log "dd of $1 failed: $out"; return 1; }
  [[ $out == *"$SIZE_MB+0 records in"* ]] || { log "short read of $1: $out"; return 1; }
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN{printf "%.4f %.4f %.4f", c-a, b-a, c-b}'
}

# ---------------------------------------------------------------- mounts
STARTED_PIDS=()   # every daemon this run started, killed on exit if still alive
FS_PID=; SUP_PID=; MNT=

# Only a listing (readdir, no lookup of FILE): the cold read then starts with the file's
# lookup, as a program's first open after mounting does.
wait_mounted() { # MNT PID: until MNT is a mount whose listing shows FILE (30 s), or PID died
  local i
  for i in $(seq 1 300); do
    mountpoint -q "$1" && ls -f "$1" 2>/dev/null | grep -qx -- "$FILE" && return 0
    [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null && return 1
    sleep 0.1
  done
  return 1
}

# The stem command returns once the mount is live; its worker (`… --foreground`) is the
# daemon that serves it, under a small supervisor. Both carry the config path in argv.
find_stalk() { # CFG: sets FS_PID (worker) and SUP_PID (supervisor)
  local p
  FS_PID=; SUP_PID=
  for p in $(pgrep -f -- "$1"); do
    if tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | grep -qx -- --foreground; then FS_PID=$p; else SUP_PID=$p; fi
  done
  [ -n "$FS_PID" ]
}

# start_mount KIND MNT_NAME: mounts and sets MNT, FS_PID (the daemon to measure), SUP_PID
start_mount() {
  local kind=$1 cfg log
  MNT=$MNTS/$2; FS_PID=; SUP_PID=
  mountpoint -q "$MNT" && die "$MNT is already a mount point"
  log=$LOGS/$V.log
  echo "--- $(date -Is) round $ROUND" >>"$log"
  case $kind in
    stalk:*)
      cfg=$CONF/stalk-${kind#stalk:}.ini
      (cd "$REPO" && node bin/stem.js -r -c "$cfg" "$MNT") >>"$log" 2>&1 \
        || { tail -5 "$log" >&2; die "stem did not mount $cfg (see $log)"; }
      find_stalk "$cfg" || die "cannot find the stem daemon of $cfg"
      STARTED_PIDS+=("$FS_PID" ${SUP_PID:+"$SUP_PID"}) ;;
    rclone:*)
      local remote=${kind#rclone:}; remote=${remote%:*}
      # shellcheck disable=SC2086
      # (env -u: the AWS SDK inside rclone refuses an AWS_CA_BUNDLE, which some environments set, on an http endpoint)
      env -u AWS_CA_BUNDLE rclone mount --config "$CONF/rclone.conf" --cache-dir "$RCACHE" --vfs-cache-mode "${kind##*:}" $RCLONE_OPTS \
        "$(rclone_remote "$remote")" "$MNT" >>"$log" 2>&1 &
      FS_PID=$!; STARTED_PIDS+=("$FS_PID") ;;
    sshfs)
      # shellcheck disable=SC2086
      sshfs -f -F "$SSH_DIR/ssh_config" $SSHFS_OPTS "origin:$ORIGIN" "$MNT" >>"$log" 2>&1 &
      FS_PID=$!; STARTED_PIDS+=("$FS_PID") ;;
    s3fs)
      # shellcheck disable=SC2086
      s3fs "$BUCKET" "$MNT" -f -o "url=$S3_ENDPOINT,use_path_request_style,passwd_file=$CONF/s3fs.passwd,dbglevel=warn" $S3FS_OPTS >>"$log" 2>&1 &
      FS_PID=$!; STARTED_PIDS+=("$FS_PID") ;;
    bindfs)
      # shellcheck disable=SC2086
      bindfs -f $BINDFS_OPTS "$WARM_CACHE" "$MNT" >>"$log" 2>&1 &
      FS_PID=$!; STARTED_PIDS+=("$FS_PID") ;;
    *) die "unknown mount kind $kind" ;;
  esac
  wait_mounted "$MNT" "$FS_PID" || { tail -5 "$log" >&2; die "$V: the mount at $MNT does not show $FILE (see $log)"; }
}
rclone_remote() { case $1 in http) echo "http:" ;; sftp) echo "sftp:$ORIGIN" ;; s3) echo "s3:$BUCKET" ;; esac; }

stop_mount() {
  [ -n "$MNT" ] || return 0
  umount "$MNT" 2>/dev/null || { sleep 1; umount "$MNT" 2>/dev/null; } || umount -l "$MNT" 2>/dev/null
  local p
  for p in $FS_PID $SUP_PID; do
    wait_gone "$p" 30 || { log "daemon $p did not exit after umount; SIGTERM"; kill -TERM "$p" 2>/dev/null; }
    wait_gone "$p" 10 || { log "daemon $p still alive; SIGKILL"; kill -KILL "$p" 2>/dev/null; }
    wait "$p" 2>/dev/null
  done
  MNT=; FS_PID=; SUP_PID=
}

cleanup() {
  local m p
  for m in "$MNTS"/*; do
    mountpoint -q "$m" 2>/dev/null && { umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }
  done
  for p in "${STARTED_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || continue
    wait_gone "$p" 10 || kill -TERM "$p" 2>/dev/null
    wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null
  done
  stop_servers
  rm -f "$BENCH_DIR/prefault.tmp"
  rm -rf "$DL" "$CACHE" "$RCACHE" "$WARM_CACHE"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- samples
# Each sample: a fresh start of one variant, the origin file in the page cache, memory
# prefaulted (PERF-BASELINE.md, "VM memory"), the machine quiet; then the timed read.

prepare() { warm_origin; prefault_mb $(( 2 * SIZE_MB )); wait_quiet "$1"; }

# A raw client: download FILE to $DL/x; the time of the whole command (s3_sdk: in-process).
raw_get() {
  local t out
  rm -f "$DL/x"
  prepare cold
  t=$(now)
  case $V in
    http_curl) curl -sS -o "$DL/x" "$HTTP_URL/$FILE" ;;
    sftp_get) sftp -q -F "$SSH_DIR/ssh_config" -b - origin >/dev/null <<<"get $ORIGIN/$FILE $DL/x" ;;
    sftp_scp) scp -q -F "$SSH_DIR/ssh_config" "origin:$ORIGIN/$FILE" "$DL/x" ;;
    rsyncd_rsync) rsync -t "$RSYNCD_URL/origin/$FILE" "$DL/x" ;;
    rsyncssh_rsync) rsync -t -e "ssh -F $SSH_DIR/ssh_config" "origin:$ORIGIN/$FILE" "$DL/x" ;;
    s3_sdk) out=$(AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY \
                  node "$HERE/s3-object.mjs" get "$S3_ENDPOINT" "$BUCKET" "$FILE" "$DL/x") ;;
  esac 2>>"$LOGS/$V.log" || { log "$V failed (see $LOGS/$V.log)"; rm -f "$DL/x"; return; }
  t=$(since "$t")
  [ "$V" = s3_sdk ] && t=$(node -p 'JSON.parse(process.argv[1]).get_s' "$out")
  [ "$(stat -c %s "$DL/x" 2>/dev/null)" = "$SIZE" ] || { log "$V: downloaded $(stat -c %s "$DL/x" 2>/dev/null) bytes, not $SIZE"; rm -f "$DL/x"; return; }
  rec cold_s "$t" s
  rm -f "$DL/x"
}

# A mount: cold read right after a fresh mount with an empty cache, split into open and
# read; then the same file again on the same mount; the daemon's memory and CPU.
mount_read() {
  local kind=$1 r c0
  rm -rf "$CACHE" "$RCACHE"; mkdir -p "$CACHE" "$RCACHE"
  start_mount "$kind" "${V#*_}"
  sleep 1
  rec idle_rss "$(tree_rss "$FS_PID")" KiB
  [ -n "$SUP_PID" ] && rec supervisor_rss "$(rss_kib "$SUP_PID")" KiB
  prepare cold
  tree_reset_hwm "$FS_PID"; c0=$(tree_cpu "$FS_PID")
  if r=$(read_split "$MNT/$FILE"); then
    read -r total open rd <<<"$r"
    rec cold_s "$total" s; rec cold_open_s "$open" s; rec cold_read_s "$rd" s
    rec cold_peak_rss "$(tree_rss "$FS_PID" VmHWM)" KiB
    rec cold_cpu_s "$(sub "$c0" "$(tree_cpu "$FS_PID")")" s
    wait_quiet again
    r=$(read_split "$MNT/$FILE") && rec again_s "${r%% *}" s
  else
    log "$V: cold read failed (see $LOGS/$V.log)"
  fi
  if ! kill -0 "$FS_PID" 2>/dev/null; then log "!! $V: the daemon died (round $ROUND)"; rec crash 1 n; fi
  stop_mount
}

# Warm: the copy stalk cached, read directly, through bindfs over the cache folder, and
# through a fresh stalk mount that finds it fresh (no network); each read twice.
warm_read() {
  local r
  case $V in
    warm_direct) MNT=; local f=$WARM_CACHE/$FILE ;;
    warm_bindfs) start_mount bindfs bindfs; local f=$MNT/$FILE ;;
    warm_stalk) start_mount stalk:warm stalk; local f=$MNT/$FILE ;;
  esac
  if [ -n "$FS_PID" ]; then
    sleep 1; rec idle_rss "$(tree_rss "$FS_PID")" KiB; tree_reset_hwm "$FS_PID"
    [ -n "$SUP_PID" ] && rec supervisor_rss "$(rss_kib "$SUP_PID")" KiB
  fi
  dd if="$WARM_CACHE/$FILE" of=/dev/null bs=1M status=none   # the cached copy in the page cache
  prefault_mb "$SIZE_MB"; wait_quiet warm
  if r=$(read_split "$f"); then
    read -r total open rd <<<"$r"
    rec warm_s "$total" s; rec warm_open_s "$open" s
    wait_quiet again
    r=$(read_split "$f") && rec again_s "${r%% *}" s
    [ -n "$FS_PID" ] && rec warm_peak_rss "$(tree_rss "$FS_PID" VmHWM)" KiB
  fi
  stop_mount
}

sample() {
  case $V in
    http_curl|sftp_get|sftp_scp|rsyncd_rsync|rsyncssh_rsync|s3_sdk) raw_get ;;
    http_stalk) mount_read stalk:http ;;
    sftp_stalk) mount_read stalk:sftp ;;
    rsyncd_stalk) mount_read stalk:rsyncd ;;
    rsyncssh_stalk) mount_read stalk:rsyncssh ;;
    s3_stalk) mount_read stalk:s3 ;;
    http_rclone_full) mount_read rclone:http:full ;;
    http_rclone_off) mount_read rclone:http:off ;;
    sftp_rclone_full) mount_read rclone:sftp:full ;;
    sftp_rclone_off) mount_read rclone:sftp:off ;;
    s3_rclone_full) mount_read rclone:s3:full ;;
    s3_rclone_off) mount_read rclone:s3:off ;;
    sftp_sshfs) mount_read sshfs ;;
    s3_s3fs) mount_read s3fs ;;
    warm_direct|warm_bindfs|warm_stalk) warm_read ;;
    *) die "unknown variant $V (see --help)" ;;
  esac
  rm -rf "$CACHE" "$RCACHE" "$DL/x"; sync
}

# ---------------------------------------------------------------- setup
need() { command -v "$1" >/dev/null || die "$1 is missing: apt-get install -y $2"; }
for v in $VARIANTS; do
  case " $ALL_VARIANTS " in *[[:space:]]"$v"[[:space:]]*) ;; *) die "unknown variant $v (see --help)" ;; esac
  case $v in
    http_*) need nginx nginx-light; need curl curl ;;&
    sftp_*|rsyncssh_*) need sshd openssh-server; need ssh openssh-client ;;&
    rsync*) need rsync rsync ;;&
    *_rclone_*) need rclone rclone ;;&
    *_sshfs) need sshfs sshfs ;;&
    *_s3fs) need s3fs s3fs ;;&
    s3_*) need radosgw radosgw; need ceph-mon ceph-mon; need ceph-osd ceph-osd ;;&
    warm_*) need nginx nginx-light ;;&
    warm_bindfs) need bindfs bindfs ;;
  esac
done
[ -e /dev/fuse ] || die "/dev/fuse is missing"

mkdir -p "$ORIGIN" "$SRV" "$MNTS" "$CONF" "$DL" "$LOGS" "$RUN" "$RESULTS_DIR" "$CACHE" "$RCACHE" || die "cannot create $BENCH_DIR"
for v in $ALL_VARIANTS; do mkdir -p "$MNTS/${v#*_}"; done
cleanup   # mounts left by an earlier, killed run
mkdir -p "$DL" "$CACHE" "$RCACHE"
: >"$SAMPLES"

if [ "$BUILD" = 1 ]; then
  log "building stalk (npm run build)"
  (cd "$REPO" && npm run --silent build) >"$LOGS/build.log" 2>&1 || { cat "$LOGS/build.log" >&2; die "npm run build failed"; }
fi
[ -f "$REPO/dist/src/cli/main.js" ] || die "stalk is not built: npm run build"

if [ "$(stat -c %s "$ORIGIN/$FILE" 2>/dev/null)" != "$SIZE" ]; then
  log "creating $ORIGIN/$FILE ($SIZE_MB MiB of random bytes)"
  head -c "${SIZE_MB}M" /dev/urandom >"$ORIGIN/$FILE.tmp" && mv "$ORIGIN/$FILE.tmp" "$ORIGIN/$FILE" || die "cannot create $ORIGIN/$FILE"
fi
chmod 755 "$BENCH_DIR" "$ORIGIN"; chmod 644 "$ORIGIN/$FILE"   # nginx's worker runs as nobody

T_SETUP=$(now)
start_nginx
[[ " $VARIANTS " == *" sftp_"* || " $VARIANTS " == *" rsyncssh_"* ]] && start_sshd
[[ " $VARIANTS " == *" rsyncd_"* ]] && start_rsyncd
if [ "$CEPH" = 1 ]; then
  t=$(now); start_ceph; log "Ceph RGW up in $(since "$t") s; uploading $FILE"
  printf '%s\n' "$S3_ACCESS_KEY" >"$CONF/s3.id"; printf '%s\n' "$S3_SECRET_KEY" >"$CONF/s3.secret"
  printf '%s:%s\n' "$S3_ACCESS_KEY" "$S3_SECRET_KEY" >"$CONF/s3fs.passwd"
  chmod 600 "$CONF/s3.id" "$CONF/s3.secret" "$CONF/s3fs.passwd"
  AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY \
    node "$HERE/s3-object.mjs" put "$S3_ENDPOINT" "$BUCKET" "$FILE" "$ORIGIN/$FILE" 2>>"$LOGS/s3-put.log" || { cat "$LOGS/s3-put.log" >&2; die "upload to S3 failed"; }
fi

# stalk: one config per origin, one file each; cachetime long enough that nothing is
# revalidated during the run. The cold configs share CACHE (emptied before each mount).
stalk_conf() { # NAME CACHEDIR ORIGIN [KEY: VALUE ...]
  local name=$1 dir=$2 origin=$3; shift 3
  {
    printf '[global]\ncachedir: %s\nlog: %s\n\n[DEFAULT]\ncachetime: 1d\n\n[big]\nname: %s\norigin: %s\n' \
      "$dir" "$LOGS/stalk-$name.log" "$FILE" "$origin"
    printf '%s\n' "$@"
  } >"$CONF/stalk-$name.ini"
}
SSH_KEYS=("ssh_key: ${SSH_DIR:-}/id_ed25519" "ssh_known_hosts: ${SSH_DIR:-}/known_hosts")
stalk_conf http "$CACHE" "$HTTP_URL/$FILE"
stalk_conf warm "$WARM_CACHE" "$HTTP_URL/$FILE"
[ -n "${SSH_PORT:-}" ] && stalk_conf sftp "$CACHE" "sftp://root@127.0.0.1:$SSH_PORT$ORIGIN/$FILE" "${SSH_KEYS[@]}"
[ -n "${SSH_PORT:-}" ] && stalk_conf rsyncssh "$CACHE" "root@127.0.0.1:$ORIGIN/$FILE" "ssh_port: $SSH_PORT" "${SSH_KEYS[@]}"
[ -n "${RSYNCD_URL:-}" ] && stalk_conf rsyncd "$CACHE" "$RSYNCD_URL/origin/$FILE"
[ "$CEPH" = 1 ] && stalk_conf s3 "$CACHE" "s3://$BUCKET/$FILE" "endpoint: $S3_ENDPOINT" "region: us-east-1" \
  "access_key_id_file: $CONF/s3.id" "secret_access_key_file: $CONF/s3.secret"

# rclone: the same origins as remotes.
{
  printf '[http]\ntype = http\nurl = %s/\n\n' "$HTTP_URL"
  [ -n "${SSH_PORT:-}" ] && printf '[sftp]\ntype = sftp\nhost = 127.0.0.1\nport = %s\nuser = root\nkey_file = %s\nknown_hosts_file = %s\nshell_type = unix\ndisable_hashcheck = true\n\n' \
    "$SSH_PORT" "$SSH_DIR/id_ed25519" "$SSH_DIR/known_hosts"
  [ "$CEPH" = 1 ] && printf '[s3]\ntype = s3\nprovider = Ceph\nendpoint = %s\naccess_key_id = %s\nsecret_access_key = %s\nregion = us-east-1\n\n' \
    "$S3_ENDPOINT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY"
} >"$CONF/rclone.conf"
chmod 600 "$CONF/rclone.conf"

# The warm cache: one untimed stalk mount that fetches the file; later mounts find it fresh.
if [[ " $VARIANTS " == *" warm_"* ]]; then
  log "filling the warm cache ($WARM_CACHE) through stalk, untimed"
  rm -rf "$WARM_CACHE"; mkdir -p "$WARM_CACHE"
  V=warm_fill; ROUND=0; start_mount stalk:warm stalk
  cat "$MNT/$FILE" >/dev/null || die "reading $FILE through stalk failed"
  stop_mount
  [ "$(stat -c %s "$WARM_CACHE/$FILE" 2>/dev/null)" = "$SIZE" ] || die "the warm cache has no $FILE after a read"
fi
log "setup done in $(since "$T_SETUP") s"

# ---------------------------------------------------------------- rounds
git_rev=$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null)
git_dirty=$(cd "$REPO" && git status --porcelain -- src backends plugins 2>/dev/null | wc -l)
ver() { "$@" 2>&1 | head -1 | tr -d '"\\' ; }
cat >"$RUN/env.json" <<EOF
{"date":"$(date -Is)","host":"$(hostname)","kernel":"$(uname -r)","cpus":$(nproc),
 "mem_gib":$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo),
 "node":"$(node --version)","nginx":"$(ver nginx -v)","openssh":"$(ver ssh -V)","rsync":"$(ver rsync --version)",
 "curl":"$(ver curl --version)","rclone":"$(ver rclone version)","sshfs":"$(sshfs --version 2>&1 | grep -i '^sshfs' | head -1)",
 "s3fs":"$(ver s3fs --version)","bindfs":"$(ver bindfs --version)","ceph":"$([ "$CEPH" = 1 ] && ver radosgw --version)",
 "aws_sdk":"$(node -p 'require("'"$REPO"'/node_modules/@aws-sdk/client-s3/package.json").version')",
 "backing_fs":"$(findmnt -n -o FSTYPE,OPTIONS --target "$BENCH_DIR" | tr -s ' ' | tr '\t' ' ')",
 "stalk_commit":"$git_rev","stalk_uncommitted_source_files":$git_dirty,
 "quick":$QUICK,"rounds":$ROUNDS,"variants":"$VARIANTS","size_mib":$SIZE_MB,"ceph_started":$CEPH,
 "rclone_opts":"$RCLONE_OPTS","sshfs_opts":"$SSHFS_OPTS","s3fs_opts":"$S3FS_OPTS","bindfs_opts":"$BINDFS_OPTS",
 "quiet_idle":$QUIET_IDLE,"quiet_wait":$QUIET_WAIT}
EOF

T_START=$(now)
for ROUND in $(seq 1 "$ROUNDS"); do
  for V in $VARIANTS; do
    log "round $ROUND/$ROUNDS: $V"
    sample
  done
done
log "rounds done in $(since "$T_START") s"

# ---------------------------------------------------------------- report
node "$HERE/summarize-pull.mjs" "$SAMPLES" "$RUN/env.json" "$RESULTS_DIR/$NAME.json" >"$RESULTS_DIR/$NAME.md" \
  || die "summarize failed (raw samples: $SAMPLES)"
cat "$RESULTS_DIR/$NAME.md"
log "results: $RESULTS_DIR/$NAME.md and $NAME.json; raw samples: $SAMPLES"
