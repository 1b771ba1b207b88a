# QEMU boot tests: each boots the firmware in one configuration and judges
# the self-test output (tests/qemu/boot_test.py).
set(CCDMA_BOOT_TEST ${CCDMA_ROOT}/tests/qemu/boot_test.py)

# ccdma_boot_test(NAME CONFIG plain|el2|el3|rme BOOT kernel|bios|elf IMAGE path
#                 [MODE plain|realm] [QEMU path] [VIRTIO] [ARGS extra harness args...])
# VIRTIO attaches virtio-blk over a fresh disk image with known content and
# virtio-rng; the harness checks the image after QEMU exits.
function(ccdma_boot_test name)
  cmake_parse_arguments(T "VIRTIO" "CONFIG;BOOT;IMAGE;MODE;QEMU" "ARGS" ${ARGN})
  if(NOT T_MODE)
    set(T_MODE plain)
  endif()
  if(NOT T_QEMU)
    set(T_QEMU ${QEMU_AARCH64})
  endif()
  if(T_VIRTIO)
    list(APPEND T_ARGS --virtio ${CMAKE_BINARY_DIR}/disk-${name}.img)
  endif()
  add_test(NAME boot-${name}
    COMMAND ${Python3_EXECUTABLE} ${CCDMA_BOOT_TEST}
      --qemu ${T_QEMU} --config ${T_CONFIG} --boot ${T_BOOT}
      --image ${T_IMAGE} --expect-mode ${T_MODE}
      --log ${CMAKE_BINARY_DIR}/boot-${name}.log ${T_ARGS})
  set_tests_properties(boot-${name} PROPERTIES TIMEOUT 300 LABELS qemu)
endfunction()

# ccdma_skipped_test(NAME REASON): a test that cannot run here. It reports
# itself as skipped (ctest's SKIP_RETURN_CODE) with the reason, which
# ./ccdma test lists; it never passes.
function(ccdma_skipped_test name reason)
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/tests/qemu/skip_test.py
    ${name} ${reason})
  set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77 LABELS qemu)
endfunction()

set(image ${CMAKE_BINARY_DIR}/ccdma.bin)
set(bios ${CMAKE_BINARY_DIR}/ccdma-bios.bin)
foreach(config plain el2 el3)
  ccdma_boot_test(${config}-kernel CONFIG ${config} BOOT kernel IMAGE ${image} VIRTIO)
  ccdma_boot_test(${config}-bios CONFIG ${config} BOOT bios IMAGE ${bios} VIRTIO)
endforeach()
# virtio-pci: modern devices behind QEMU's generic ECAM bridge, BARs
# assigned by the runtime from the DT windows.
ccdma_boot_test(plain-kernel-pci CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --transport pci --expect "virtio-pci@00:0[0-9a-f]\\.0: block, virtio-pci"
  --expect "virtio-pci@00:0[0-9a-f]\\.0: rng, virtio-pci")
ccdma_boot_test(el3-bios-pci CONFIG el3 BOOT bios IMAGE ${bios} VIRTIO
  ARGS --transport pci --expect "virtio-pci@00:0[0-9a-f]\\.0: block, virtio-pci")
# Interrupts: the GIC the DTB names, v2 (QEMU's default) and v3; virtio-blk
# completes by interrupt. secure=on leaves the GIC to the secure world, so
# the EL3 boots poll (and say so).
foreach(config plain el2)
  ccdma_boot_test(${config}-kernel-gicv3 CONFIG ${config} BOOT kernel IMAGE ${image} VIRTIO
    ARGS --machine-extra gic-version=3 --expect "^ccdma: irq: GICv3 .* interrupts on"
    --expect "^ok .* - virtio_blk: requests completed by interrupt"
    --expect "^ok .* - irq: a line that never stops firing is disabled as a storm")
endforeach()
ccdma_boot_test(plain-kernel-gicv2-irq CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --expect "^ccdma: irq: GICv2 .* interrupts on"
  --expect "^ok .* - virtio_blk: requests completed by interrupt")
# Several CPUs: secondaries started with PSCI CPU_ON where QEMU answers it,
# released from the -bios stub's pen where nothing does (secure=on); each
# runs the smp self-test's work.
foreach(smp 2 4)
  ccdma_boot_test(plain-kernel-smp${smp} CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
    ARGS --qemu-arg "-smp ${smp}" --expect "^ccdma: cpus: ${smp} of ${smp} online"
    --expect "^ok .* - smp: atomic increments from every CPU all land"
    --expect "^ok .* - smp_dma: concurrent map/unmap .* every byte right"
    --expect "^ok .* - smp_dma: blk reads from every CPU"
    --expect "^ok .* - smp_dma: nothing left live, no dma-debug report")
  ccdma_boot_test(el2-kernel-smp${smp} CONFIG el2 BOOT kernel IMAGE ${image} VIRTIO
    ARGS --qemu-arg "-smp ${smp}" --expect "^ccdma: cpus: ${smp} of ${smp} online")
  ccdma_boot_test(el3-bios-smp${smp} CONFIG el3 BOOT bios IMAGE ${bios} VIRTIO
    ARGS --qemu-arg "-smp ${smp}" --expect "^ccdma: cpus: ${smp} of ${smp} online.*mpidr=0x1 pen"
    --expect "^ok .* - smp: atomic increments from every CPU all land")
  # The other entry modes: -bios at EL1 and EL2, -kernel under secure=on.
  foreach(mode plain:bios:${bios} el2:bios:${bios} el3:kernel:${image})
    string(REPLACE ":" ";" m "${mode}")
    list(GET m 0 cfg)
    list(GET m 1 how)
    list(GET m 2 img)
    ccdma_boot_test(${cfg}-${how}-smp${smp} CONFIG ${cfg} BOOT ${how} IMAGE ${img} VIRTIO
      ARGS --qemu-arg "-smp ${smp}" --expect "^ccdma: cpus: ${smp} of ${smp} online.*mpidr=0x1 psci"
      --expect "^ok .* - smp_dma: nothing left live, no dma-debug report")
  endforeach()
endforeach()
# -cpu max has LSE: the lock and the atomics use CAS and LDADD instead of
# exclusives, chosen at boot from ID_AA64ISAR0_EL1.
ccdma_boot_test(plain-kernel-smp4-lse CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --cpu max --qemu-arg "-smp 4" --expect "^ccdma: cpus: 4 of 4 online, atomics LSE"
  --expect "^ok .* - smp_dma: nothing left live, no dma-debug report"
  --expect "^ccdma: entropy: 4 words of RNDR \\(FEAT_RNG\\)"
  --expect "^ok .* - entropy: the stack guard took RNDR words at boot")
# The same ccdma.bin from another base: it relocates itself (boot/head.S).
foreach(config plain el3)
  ccdma_boot_test(${config}-relocated CONFIG ${config} BOOT loader IMAGE ${image} VIRTIO
    ARGS --load-addr 0x48200000 --expect "image at 0x48200000$")
endforeach()
# The test disk (tests/boot/disk_pattern.h): random data on the whole disk,
# and nothing outside the listed regions may change. A disk without the
# harness's signature, or a read-only one, is only read: not one byte of
# it may change.
ccdma_boot_test(plain-kernel-disk-random CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --disk-fill random --expect "^# blk disk0: 8192 sectors, a test disk")
ccdma_boot_test(plain-kernel-disk-foreign CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --disk-fill random --foreign
  --expect "^ok .* - virtio_blk: not written: write round trip # SKIP no test-disk signature")
ccdma_boot_test(plain-kernel-readonly CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --disk-fill random --readonly
  --expect "^ok .* - virtio_blk: read-only: a write is refused \\(read-only device\\), nothing posted"
  --expect "^ok .* - virtio_blk: not written: write round trip # SKIP the device is read-only")
# A queue of 4 descriptors: 2 data segments per request, longer calls split.
ccdma_boot_test(plain-kernel-queue4 CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --blk-opts queue-size=4 --expect "capacity 8192 sectors, 2 segments per request"
  --expect "^ok .* - virtio_blk: multi-segment read \\(3 segments, split: the device takes fewer\\)")
# Every disk is driven, each judged on its own salted pattern; three of
# them: a larger test disk, a foreign one and the standard one.
ccdma_boot_test(plain-kernel-disks2 CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --extra-disk test --expect "^ok .* - virtio_blk: disk1: read back what was written")
ccdma_boot_test(plain-kernel-disks3 CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --disk-fill random --disk-sectors 20480 --extra-disk foreign:16384 --extra-disk test
  --expect "^# blk disk[0-2]: 20480 sectors, a test disk"
  --expect "^ok .* - virtio_blk: disk[12]: not written: write round trip # SKIP no test-disk"
  --expect "^ok .* - virtio_blk: disk[12]: read back what was written")
# QEMU's default virtio-mmio, legacy (version 1): driven in plain mode.
ccdma_boot_test(plain-kernel-legacy-mmio CONFIG plain BOOT kernel IMAGE ${image} VIRTIO
  ARGS --legacy --expect "block, virtio-mmio v1, ready" --expect "rng, virtio-mmio v1, ready")
