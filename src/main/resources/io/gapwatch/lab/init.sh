#!/bin/busybox sh
# /init of the gapwatch kernel lab (put into the initramfs by io.gapwatch.lab.Initramfs).
# Loads KVM, runs gapwatch's probe from the initramfs itself (io.gapwatch.lab.GuestRuntime appends a trimmed
# Java runtime and the probe's classes, in the directory /gapwatch-runtime names), prints its JSON report
# between marker lines on the console. The lab kills the guest once it has read the exit marker (a kernel without ACPI cannot power off).
# Everything about the run comes on the kernel command line (gapwatch.*): one initramfs serves every run.
#
# Console protocol (io.gapwatch.lab.SerialConsole reads it). NONCE is new for every boot, so neither the
# kernel's echo of its command line nor anything the probe prints can pass for a marker line:
#   @@gapwatch NONCE uname <release>     what uname -r says
#   @@gapwatch NONCE skip <reason>       the kernel cannot run the probe (KVM missing or refusing this CPU)
#   @@gapwatch NONCE fail <reason>       the lab could not start the probe
#   @@gapwatch NONCE begin               the probe's stdout (its JSON report) follows ...
#   @@gapwatch NONCE end                 ... up to here
#   @@gapwatch NONCE exit <code>         the probe's exit code
/bin/busybox mount -t proc proc /proc
# gapwatch.floor: the benchmark's floor, the same boot ending at once (bench/lab-boot.sh)
case " $(/bin/busybox cat /proc/cmdline) " in *" gapwatch.floor=1 "*) /bin/busybox poweroff -f ;; esac
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

for arg in $(cat /proc/cmdline); do
  case "$arg" in
    gapwatch.nonce=*) NONCE=${arg#*=} ;;
    gapwatch.args=*) ARGS=$(echo "${arg#*=}" | tr , ' ') ;;
  esac
done
say() { echo "@@gapwatch $NONCE $*"; }
end() {
  poweroff -f
  exit 1 # should poweroff fail: init's exit panics the kernel, and panic=-1 with -no-reboot ends QEMU
}
say uname "$(uname -r)"

# The vendor module follows the virtual CPU: TCG's -cpu max emulates AMD SVM, -cpu host on Intel has VMX.
# A module KVM refuses to load with is the kernel's answer (SKIP, with its reason from the kernel log);
# one that is not a module for this kernel at all is the lab's mistake (ERROR).
VENDOR=kvm_amd
grep -q -w vmx /proc/cpuinfo && VENDOR=kvm_intel
while read -r module; do
  case "$module" in
    "") continue ;;
    kvm_amd | kvm_intel) [ "$module" = "$VENDOR" ] || continue ;;
  esac
  if ! out=$(insmod "/lib/modules/$module.ko" 2>&1); then
    why=$(dmesg | grep -E 'kvm|SVM|VMX' | tail -n 2 | sed 's/^\[[ 0-9.]*\] //' | tr '\n' ' ')
    case "$out" in
      *"nvalid module format"* | *"o such file"* | *"nknown symbol"*) say fail "insmod $module failed: $out $why" ;;
      *) say skip "KVM does not load ($module: ${why:-$out})" ;;
    esac
    end
  fi
done < /lib/modules/load-order
[ -c /dev/kvm ] || { say skip "no /dev/kvm after loading $VENDOR: $(dmesg | grep -E 'kvm' | tail -n 1)"; end; }
RT=$(cat /gapwatch-runtime 2>/dev/null)
[ -n "$RT" ] && [ -x "$RT/jre/bin/java" ] || { say fail "no Java runtime in the initramfs (/gapwatch-runtime)"; end; }

# The JVM's stderr stays on the console (diagnostics, resource samples); its stdout is the report, so the
# JVM's own warnings go to stderr too. The class-data archive holds the probe's classes parsed and verified
# (GuestRuntime.JVM_OPTIONS must match these). JNA finds its native library unpacked already.
# ArchiveRelocationMode=0 maps the archive where it was dumped: JDK 17.0.15 maps it elsewhere by default
# (address randomization) and then rewrites its pointers, about 0.6 s under TCG; this guest has no secrets.
env -i HOME=/tmp PATH=/bin LANG=C.UTF-8 LD_LIBRARY_PATH=/lib/x86_64-linux-gnu \
  "$RT/jre/bin/java" -Xint -XX:+UseSerialGC -XX:-UsePerfData \
  -Xshare:auto -XX:SharedArchiveFile="$RT/app.jsa" -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 \
  -Xlog:disable -Xlog:all=warning:stderr \
  -Djna.boot.library.path="$RT/native" -Djna.nounpack=true -Djava.io.tmpdir=/tmp \
  -cp "$(cat "$RT/classpath")" io.gapwatch.Gapwatch $ARGS > /tmp/gapwatch-report.json
CODE=$?

# From here only emergencies (a panic) reach the console, so no kernel message can split the report.
echo 1 > /proc/sys/kernel/printk
say begin
cat /tmp/gapwatch-report.json
say end
say exit "$CODE"
end
