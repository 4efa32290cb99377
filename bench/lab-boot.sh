#!/usr/bin/env bash
# Kernel lab benchmark (io.gapwatch.lab): the wall and CPU time of one boot + probe + end of the guest against its
# floor, and a soak that shows the probe's open fds and memory stay flat over many iterations.
#
#   bench/lab-boot.sh             after an untimed run (fetches the kernel, builds its initramfs and the guest's
#                                 runtime), ROUNDS rounds of: the floor (`gapwatch lab --floor`: the same kernel
#                                 and QEMU command booted into an init that powers off at once) and one timed
#                                 `gapwatch lab` run, alternating; prints both, per round and as medians, and
#                                 their ratios in wall and in CPU time, per kernel; fails when a kernel's
#                                 median run is slower than TARGET_S or its wall-time ratio above MAX_RATIO
#   bench/lab-boot.sh stages      one run of KERNEL with the wall and QEMU CPU time at each stage the guest's
#                                 console marks (boot and init, KVM modules and JVM start, probe, report)
#   bench/lab-boot.sh soak [N]    one run of N iterations (default 200) in one guest; prints the probe's
#                                 resource samples (probe --resource-report, on the guest console) and fails
#                                 when its fds change or its RSS grows more than 5 % after the first tenth
#
# env: KERNELS (space-separated, each measured in turn; default KERNEL, default 6.12.117+deb12-amd64; soak
#      uses the first), VARIANT (clock-realtime), TARGET_S (30), ROUNDS (3), MAX_RATIO (1.5, on wall time: the
#      time a run takes is what the target is about; the cpu ratio is printed beside it as the figure a busy
#      machine disturbs less)
# Both sides start `gapwatch lab` the same way (a host JVM), so the ratio compares like with like; run it on a
# quiet machine (TCG takes whole cores, and another user's load stretches one side or the other).
# Needs: apt-get install qemu-system-x86 busybox-static xz-utils time
set -euo pipefail
ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
GAPWATCH="$ROOT/bin/gapwatch"
KERNELS=${KERNELS:-${KERNEL:-6.12.117+deb12-amd64}}
KERNEL=${KERNELS%% *}
VARIANT=${VARIANT:-clock-realtime}
TARGET_S=${TARGET_S:-30}
ROUNDS=${ROUNDS:-3}
MAX_RATIO=${MAX_RATIO:-1.5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# gapwatch lab exits like the probe: 0 pass, 1 fail or error, 4 skip. The bench wants a run that got a
# report from the guest, whatever its verdict: an ERROR verdict is the lab failing.
verdict() { sed -n 's/^# verdict \([A-Z]*\).*/\1/p; s/.*# SKIP .*/SKIP/p' "$1" | head -1; }

case "${1:-boot}" in
  boot)
    seconds() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.1f", (e - s) / 1e9 }'; }
    median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
    ratio() { awk -v r="$1" -v f="$2" 'BEGIN { printf "%.2f", r / f }'; }
    # CPU time (user + sys of gapwatch and the QEMU it reaps) beside wall time: on a shared machine the wall
    # time of a TCG guest stretches with everyone else's load, its CPU time much less.
    # (time writes "Command exited with non-zero status N" first when gapwatch exits 1 or 4: the last line counts)
    cpu() { tail -n 1 "$1" | awk '{ printf "%.1f", $1 + $2 }'; }
    failed=0
    for kernel in $KERNELS; do
      echo "warm-up (untimed): jar, kernel $kernel, initramfs, guest runtime ..." >&2
      "$GAPWATCH" lab --kernel "$kernel" --variant "$VARIANT" > "$WORK/warmup" || true
      : > "$WORK/floors"; : > "$WORK/runs"; : > "$WORK/floor_cpus"; : > "$WORK/run_cpus"
      # Floor and run alternate, so a change in the machine's load falls on both sides.
      for round in $(seq "$ROUNDS"); do
        start=$(date +%s%N)
        /usr/bin/time -f "%U %S" -o "$WORK/time" "$GAPWATCH" lab --kernel "$kernel" --floor > /dev/null
        end=$(date +%s%N)
        floor=$(seconds "$start" "$end"); floor_cpu=$(cpu "$WORK/time")
        start=$(date +%s%N)
        /usr/bin/time -f "%U %S" -o "$WORK/time" "$GAPWATCH" lab --kernel "$kernel" --variant "$VARIANT" > "$WORK/ktap" || true
        end=$(date +%s%N)
        run=$(seconds "$start" "$end"); run_cpu=$(cpu "$WORK/time")
        v=$(verdict "$WORK/ktap")
        [ -n "$v" ] && [ "$v" != ERROR ] || { cat "$WORK/ktap"; echo "FAILED: the lab produced no verdict" >&2; exit 1; }
        echo "$kernel round $round: floor $floor s wall / $floor_cpu s cpu; boot + probe + end $run s wall / $run_cpu s cpu; verdict $v; load $(cut -d' ' -f1 /proc/loadavg)"
        echo "$floor" >> "$WORK/floors"; echo "$run" >> "$WORK/runs"
        echo "$floor_cpu" >> "$WORK/floor_cpus"; echo "$run_cpu" >> "$WORK/run_cpus"
      done
      floor=$(median < "$WORK/floors"); run=$(median < "$WORK/runs")
      floor_cpu=$(median < "$WORK/floor_cpus"); run_cpu=$(median < "$WORK/run_cpus")
      wall_ratio=$(ratio "$run" "$floor"); cpu_ratio=$(ratio "$run_cpu" "$floor_cpu")
      echo "$kernel, $VARIANT, medians of $ROUNDS rounds:"
      echo "  wall time: floor $floor s, boot + probe + end $run s, ratio $wall_ratio (target <= $MAX_RATIO, run <= $TARGET_S s)"
      echo "  cpu time (gapwatch + QEMU): floor $floor_cpu s, boot + probe + end $run_cpu s, ratio $cpu_ratio"
      awk -v s="$run" -v t="$TARGET_S" 'BEGIN { exit !(s <= t) }' || { echo "FAILED: $kernel slower than $TARGET_S s" >&2; failed=1; }
      awk -v r="$wall_ratio" -v m="$MAX_RATIO" 'BEGIN { exit !(r <= m) }' || { echo "FAILED: $kernel wall-time ratio above $MAX_RATIO" >&2; failed=1; }
    done
    exit "$failed"
    ;;
  soak)
    n=${2:-200}
    start=$(date +%s%N)
    "$GAPWATCH" lab --kernel "$KERNEL" --variant "$VARIANT" --iterations "$n" --console "$WORK/console" > "$WORK/ktap" || true
    end=$(date +%s%N)
    grep -E '^(# target|# verdict|ok|not ok)' "$WORK/ktap" | grep -v '^ok [0-9]* iteration_' || true
    tr -d '\r' < "$WORK/console" | grep '^# resources:' > "$WORK/resources" || true
    cat "$WORK/resources"
    awk -v s="$start" -v e="$end" -v n="$n" 'BEGIN { printf "soak: %d iterations in one guest, %.1f s wall\n", n, (e - s) / 1e9 }'
    # Baseline: the first sample after the first tenth of the run (JNA loaded, code compiled, heap sized).
    awk '
      { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
      v["at"] ~ /^iteration-/ && !base { base = 1; fds0 = v["fds"]; rss0 = v["rssKb"]; heap0 = v["heapUsedKb"]; at0 = v["at"] }
      END {
        if (!base) { print "FAILED: no iteration samples (the probe did not run its iterations)"; exit 1 }
        growth = (v["rssKb"] - rss0) * 100 / rss0
        printf "from %s to %s: fds %d -> %d, RSS %d -> %d kB (%+.1f %%), heap in use %d -> %d kB\n",
               at0, v["at"], fds0, v["fds"], rss0, v["rssKb"], growth, heap0, v["heapUsedKb"]
        if (v["fds"] != fds0) { print "FAILED: the open fd count changed"; exit 1 }
        if (growth > 5) { print "FAILED: RSS grew more than 5 %"; exit 1 }
        print "flat: fds unchanged, RSS within 5 %"
      }' "$WORK/resources"
    ;;
  stages)
    # Where one run's time goes: the guest's console lines that mark a stage, each stamped with the wall time
    # and the QEMU CPU time (user + sys, from /proc) spent so far. uname: the kernel booted and init mounted
    # /proc, /sys, /dev (the floor powers off here); resources at=start: KVM's modules loaded and the JVM reached
    # the probe's main; at=iteration-N: the warm-up and N iterations done; exit: the report written.
    "$GAPWATCH" lab --kernel "$KERNEL" --variant clock-realtime > /dev/null || true # untimed: caches
    mkfifo "$WORK/console"
    "$GAPWATCH" lab --kernel "$KERNEL" --variant "$VARIANT" --console "$WORK/console" > "$WORK/ktap" &
    lab=$!
    perl -MTime::HiRes=time -e '
      my ($lab, $start, $qemu) = (shift, time);
      while (my $line = <STDIN>) {
        ($qemu) = grep { $_ } map { /(\d+)/ ? $1 : () } `pgrep -P $lab -f qemu-system` unless $qemu;
        next unless $line =~ /\@\@gapwatch \S+ (uname|exit)|# resources: at=/;
        my $cpu = 0;
        if ($qemu && open(my $f, "<", "/proc/$qemu/stat")) {
          my @a = split / /, (split /\) /, <$f>)[1]; $cpu = ($a[11] + $a[12]) / 100;
        }
        $line =~ s/\@\@gapwatch \S+ //; $line =~ s/\r//;
        printf("%6.2f s wall %6.2f s QEMU cpu  %s", time - $start, $cpu, $line);
      }' "$lab" < "$WORK/console"
    wait "$lab" || true
    grep -E '^# (target|verdict)' "$WORK/ktap"
    ;;
  *)
    echo "usage: bench/lab-boot.sh [boot | soak [N] | stages]" >&2
    exit 2
    ;;
esac
