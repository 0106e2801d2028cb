# shellcheck shell=bash
# Helpers shared by the benchmarks (bench/run.sh, bench/pull.sh). Source it.
# Uses the caller's globals: SAMPLES (the raw samples file), V and ROUND
# (the variant and round being measured), BENCH_DIR (scratch), QUIET_IDLE
# and QUIET_WAIT.

now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.4f", b-a}'; }
log() { echo "bench: $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }
# rec WORKLOAD VALUE UNIT   (variant and round from the globals)
rec() {
  printf '%s\t%s\t%s\t%s\t%s\n' "$V" "$1" "$ROUND" "$2" "$3" >>"$SAMPLES"
  printf '  %-8s %-26s %s %s\n' "$V" "$1" "$2" "$3" >&2
}
rss_kib() { awk -v k="${2:-VmRSS}:" '$1==k{print $2}' "/proc/$1/status" 2>/dev/null; }
reset_hwm() { echo 5 >"/proc/$1/clear_refs" 2>/dev/null || true; }
proc_cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.3f", ($14+$15)/hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
proc_ctxsw() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/{s+=$2} END{print s+0}'; }
sub() { awk -v a="$1" -v b="$2" -v m="${3:-1}" -v f="${4:-%.3f}" 'BEGIN{printf f, (b-a)*m}'; }
evict() { dd if="$1" iflag=nocache count=0 status=none 2>/dev/null || true; }
# This VM makes the first touch of memory that sat idle for a while several
# times slower; writing and deleting N MiB right before a timed step lets it
# reuse just-freed page-cache memory (PERF-BASELINE.md, "VM memory").
prefault_mb() { dd if=/dev/zero of="$BENCH_DIR/prefault.tmp" bs=1M count="$1" status=none; rm -f "$BENCH_DIR/prefault.tmp"; }

# The machine may be shared: before each workload, wait (up to QUIET_WAIT s) until the CPUs
# were at least QUIET_IDLE % idle over half a second, so that a burst of other work does not
# land in one variant's sample. Gives up and goes on (and says so) after QUIET_WAIT.
cpu_idle_pct() {
  local a b
  a=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat); sleep 0.5
  b=$(awk '/^cpu /{print $2+$3+$4+$5+$6+$7+$8+$9, $5+$6}' /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN{split(a,x," "); split(b,y," "); t=y[1]-x[1]; p=100; if (t>0) p=100*(y[2]-x[2])/t; printf "%d", p}'
}
wait_quiet() {
  local t0=$SECONDS idle
  while :; do
    idle=$(cpu_idle_pct)
    [ "$idle" -ge "$QUIET_IDLE" ] && return 0
    if [ $(( SECONDS - t0 )) -ge "$QUIET_WAIT" ]; then
      log "machine still busy (${idle}% idle) after ${QUIET_WAIT} s; measuring anyway"
      printf '%s\t%s\t%s\t%s\t%s\n' "$V" "busy_$1" "$ROUND" "$idle" pct >>"$SAMPLES"
      return 0
    fi
  done
}

wait_gone() { # PID SECONDS
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}
