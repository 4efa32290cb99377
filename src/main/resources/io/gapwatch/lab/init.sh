#!/bin/busybox sh
# /init of the gapwatch kernel lab (put into the initramfs by io.gapwatch.lab.Initramfs).
# Loads KVM and the 9p/overlay modules, mounts the host root read-only under a tmpfs overlay, runs
# gapwatch's probe there, prints its JSON report between marker lines on the console, powers off.
# Everything about the run comes on the kernel command line (gapwatch.*): one initramfs serves every run.
#
# Console protocol (io.gapwatch.lab.SerialConsole reads it). NONCE is new for every boot, so neither the
# kernel's echo of its command line nor anything the probe prints can pass for a marker line:
#   @@gapwatch NONCE uname <release>     what uname -r says
#   @@gapwatch NONCE fail <reason>       the lab could not start the probe
#   @@gapwatch NONCE begin               the probe's stdout (its JSON report) follows ...
#   @@gapwatch NONCE end                 ... up to here
#   @@gapwatch NONCE exit <code>         the probe's exit code; then the guest powers off
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

for arg in $(cat /proc/cmdline); do
  case "$arg" in
    gapwatch.nonce=*) NONCE=${arg#*=} ;;
    gapwatch.java=*) JAVA=${arg#*=} ;;
    gapwatch.jar=*) JAR=${arg#*=} ;;
    gapwatch.args=*) ARGS=$(echo "${arg#*=}" | tr , ' ') ;;
  esac
done
say() { echo "@@gapwatch $NONCE $*"; }
fail() {
  say fail "$*"
  poweroff -f
  exit 1 # should poweroff fail: init's exit panics the kernel, and panic=-1 with -no-reboot ends QEMU
}
say uname "$(uname -r)"

# The vendor module follows the virtual CPU: TCG's -cpu max emulates AMD SVM, -cpu host on Intel has VMX.
VENDOR=kvm_amd
grep -q -w vmx /proc/cpuinfo && VENDOR=kvm_intel
while read -r module; do
  case "$module" in
    kvm_amd | kvm_intel) [ "$module" = "$VENDOR" ] || continue ;;
  esac
  insmod "/lib/modules/$module.ko" || fail "insmod $module failed"
done < /lib/modules/load-order
[ -c /dev/kvm ] || fail "no /dev/kvm after loading $VENDOR"

mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host ||
  fail "cannot mount the host root (9p, tag hostroot)"
# A tmpfs upper layer makes the read-only host root writable for the JVM (hsperfdata, JNA's library).
mount -t tmpfs tmpfs /ov && mkdir /ov/upper /ov/work
mount -t overlay -o lowerdir=/host,upperdir=/ov/upper,workdir=/ov/work overlay /merged ||
  fail "cannot mount the overlay on the host root"
mount -t proc proc /merged/proc
mount -t sysfs sys /merged/sys
mount -t devtmpfs dev /merged/dev
# /tmp stays the overlay's (writable, in the tmpfs upper layer) so a jar under the host's /tmp is still seen

# The JVM's stderr stays on the console (diagnostics, resource samples); its stdout is the report.
chroot /merged /usr/bin/env -i HOME=/root PATH=/usr/bin:/bin LANG=C.UTF-8 \
  "$JAVA" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -jar "$JAR" $ARGS \
  > /merged/tmp/gapwatch-report.json
CODE=$?

# From here only emergencies (a panic) reach the console, so no kernel message can split the report.
echo 1 > /proc/sys/kernel/printk
say begin
cat /merged/tmp/gapwatch-report.json
say end
say exit "$CODE"
poweroff -f
