#!/bin/busybox sh
# /init of the KVM host's initramfs (tests/kvmtool/kvmtool_boot.py): run
# ccdma.bin under lkvm as a VMM would, then report lkvm's status and the
# disk's hash on the console for the harness, and power off. The kernel
# command line carries ccdma.transport= and ccdma.lkvm_args=.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
transport=$(sed -n 's/.*ccdma\.transport=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "kvm-host: $(uname -r), $(ls /dev/kvm 2>&1), transport ${transport:-pci}"
lkvm run --kernel /ccdma.bin --disk /disk.img --rng --console serial -m 512 -c 1 \
    --network mode=none --virtio-transport "${transport:-pci}" --name ccdma
echo "kvm-host: lkvm exit $?"
echo "kvm-host: disk sha256 $(sha256sum /disk.img | cut -d' ' -f1)"
poweroff -f
