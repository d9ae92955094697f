#!/bin/bash
# Runs the resource-limit tests on a real cgroup v2 hierarchy with the pids and memory controllers, for
# machines that do not have one (a hybrid host binds them to cgroup v1, and a controller lives in one
# hierarchy only): a Debian kernel booted in QEMU, this machine's own root file system shared read-only
# over 9p (so the VM runs this checkout's dist/ with the host's node, python3 and tools), /tmp a tmpfs,
# and cgroup2 mounted at /sys/fs/cgroup with +pids +memory in the root's cgroup.subtree_control.
# Two runs: socklab in the root cgroup (a container with its own cgroup namespace), then in a leaf
# cgroup that holds processes (as under systemd: its folder must go to an ancestor).
#
#   scripts/cgroup2-vm.sh [WORK_DIR]      (root; needs apt-get for qemu-system-x86, the kernel and busybox)
#
# Build first (dist/). The VM is emulated (TCG: a few minutes); SOCKLAB_VM_ACCEL=kvm uses KVM instead,
# which nested in another VM may hang before the kernel prints anything (it did on our machines). The VM's output, with both mocha runs, is WORK_DIR/vm.log; the exit status is 0 when
# both runs passed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/socklab-cgroup2-vm}
kernel_package=${SOCKLAB_VM_KERNEL:-linux-image-6.1.0-57-amd64-unsigned}
mkdir -p "$work" && cd "$work"

command -v qemu-system-x86_64 >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86
# Unpacked, not installed: the host keeps its own kernel and tools.
if [ ! -d kernel ]; then
  apt-get download "$kernel_package" busybox-static
  dpkg-deb -x linux-image-*.deb kernel
  dpkg-deb -x busybox-static*.deb busybox
fi
vmlinuz=$(ls kernel/boot/vmlinuz-*)

rm -rf initrd && mkdir -p initrd/bin initrd/mod initrd/proc initrd/sys initrd/dev initrd/newroot
cp busybox/bin/busybox initrd/bin/
modules="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci fscache netfs 9pnet 9pnet_virtio 9p"
for module in $modules; do cp "$(find kernel/lib/modules -name "$module.ko")" initrd/mod/; done

cat > initrd/init <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
# insmod knows no dependencies: a few passes load them in any order.
for pass in 1 2 3; do for m in $modules; do grep -q "^\$m " /proc/modules || insmod /mod/\$m.ko 2>/dev/null; done; done
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,ro hostroot /newroot || { echo "VM: cannot mount the host root"; poweroff -f; }
mount -t proc proc /newroot/proc; mount -t sysfs sys /newroot/sys; mount -t devtmpfs dev /newroot/dev
mount -t tmpfs tmp /newroot/tmp; mount -t tmpfs run /newroot/run
mkdir -p /newroot/dev/shm /newroot/dev/pts; mount -t tmpfs shm /newroot/dev/shm; mount -t devpts pts /newroot/dev/pts
mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup
echo "VM: kernel \$(uname -r), cgroup.controllers: \$(cat /newroot/sys/fs/cgroup/cgroup.controllers)"
cp /vmtest.sh /newroot/tmp/vmtest.sh
chroot /newroot /bin/sh /tmp/vmtest.sh 2>&1
echo "VM: exit \$?"
poweroff -f
EOF
chmod +x initrd/init

cat > initrd/vmtest.sh <<EOF
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
ip link set lo up
echo "+pids +memory" > /sys/fs/cgroup/cgroup.subtree_control
cd "$repo"
tests="dist/test/component/cgroup-v2.test.js dist/test/component/hostile-limits.test.js dist/test/unit/cgroup-layout.test.js"
# javac alone takes longer than its test's 60 s in an emulated VM: left out (it tests rlimits, not cgroups).
mocha() { node node_modules/.bin/mocha --no-config --timeout 300000 --exit --require dist/test/support/root-hooks.js --grep javac --invert \$tests; }
echo "VM: === socklab in the root cgroup"
mocha; first=\$?
echo "VM: === socklab in a leaf cgroup that holds processes (as under systemd)"
mkdir /sys/fs/cgroup/session.scope && echo \$\$ > /sys/fs/cgroup/session.scope/cgroup.procs
mocha; second=\$?
echo "VM: cgroups left: \$(find /sys/fs/cgroup -mindepth 1 -type d | tr '\n' ' ')"
exit \$((first + second))
EOF
(cd initrd && find . | ../busybox/bin/busybox cpio -o -H newc 2>/dev/null | gzip) > initrd.cpio.gz

# multidevs=remap: the host's /proc, /sys and / are different devices with overlapping inode numbers.
run() {
  timeout 1800 qemu-system-x86_64 "$@" -m 3072 -smp 2 -nographic -no-reboot -kernel "$vmlinuz" -initrd initrd.cpio.gz \
    -append "console=ttyS0 panic=-1 quiet" -nic none \
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" > vm.log 2>&1
}
if [ "${SOCKLAB_VM_ACCEL:-tcg}" = kvm ]; then run -accel kvm -cpu host,-arch-capabilities || true; else run -accel tcg -cpu max || true; fi
sed 's/\x1b\[[0-9;]*m//g' vm.log | grep -a -E "VM:|passing|failing|pending|^ +[0-9]+\) "
grep -aq "VM: exit 0" vm.log
