# AArch32 QEMU boot tests (qemu-system-arm -M virt -cpu cortex-a15): each
# boots the firmware in one configuration and judges the self-test output
# with the same harness as AArch64 (tests/qemu/boot_test.py). Entry "EL" on
# the boot line: 1 = SVC, 2 = HYP (virtualization=on), 3 = Secure SVC
# (secure=on); an ELF -kernel and -bios both start in the reset mode.
set(CCDMA_BOOT_TEST ${CCDMA_ROOT}/tests/qemu/boot_test.py)

# ccdma_arm_boot_test(NAME CONFIG plain|el2|el3 BOOT elf|bios [VIRTIO] [ARGS ...])
# VIRTIO: a virtio-blk disk with known content (checked after the run) and
# virtio-rng, as on AArch64.
function(ccdma_arm_boot_test name)
  cmake_parse_arguments(T "VIRTIO" "CONFIG;BOOT" "ARGS" ${ARGN})
  if(T_BOOT STREQUAL "bios")
    set(image ${CMAKE_BINARY_DIR}/ccdma-bios.bin)
  else()
    set(image ${CMAKE_BINARY_DIR}/ccdma.elf)
  endif()
  if(T_VIRTIO)
    list(APPEND T_ARGS --virtio ${CMAKE_BINARY_DIR}/disk-arm-${name}.img)
  endif()
  add_test(NAME boot-arm-${name}
    COMMAND ${Python3_EXECUTABLE} ${CCDMA_BOOT_TEST}
      --qemu ${QEMU_ARM} --cpu cortex-a15 --config ${T_CONFIG} --boot ${T_BOOT}
      --image ${image} --expect-mode plain
      --expect "^ccdma: arch=AArch32 .* lpae=on "
      --log ${CMAKE_BINARY_DIR}/boot-arm-${name}.log ${T_ARGS})
  set_tests_properties(boot-arm-${name} PROPERTIES TIMEOUT 300 LABELS qemu)
endfunction()

foreach(config plain el2 el3)
  ccdma_arm_boot_test(${config}-elf CONFIG ${config} BOOT elf VIRTIO)
  ccdma_arm_boot_test(${config}-bios CONFIG ${config} BOOT bios VIRTIO)
endforeach()
# Interrupts on cortex-a15's GICv2: virtio-blk completes by interrupt.
ccdma_arm_boot_test(plain-elf-irq CONFIG plain BOOT elf VIRTIO
  ARGS --expect "^ccdma: irq: GICv2 .* interrupts on"
  --expect "^ok .* - virtio_blk: requests completed by interrupt"
  --expect "^ok .* - irq: a sleeping wait that nothing wakes returns by the timer")
# Several CPUs: where QEMU answers PSCI (plain over HVC, virtualization=on
# over SMC) the secondaries start with CPU_ON and the SMP self-tests run on
# all of them. Under secure=on nothing answers PSCI and every CPU starts at
# the reset vector: the secondaries wait in a pen (the -bios stub's, or the
# image's for an ELF) until the boot CPU releases them.
set(smp_selftests
  --expect "^ok .* - smp: each CPU: its own index, MPIDR and stack, MMU on"
  --expect "^ok .* - smp_dma: concurrent map/unmap")
foreach(n 2 4)
  ccdma_arm_boot_test(el3-bios-smp${n} CONFIG el3 BOOT bios VIRTIO
    ARGS --qemu-arg "-smp ${n}" --expect "^ccdma: cpus: ${n} of ${n} online.*mpidr=0x1 pen"
      ${smp_selftests})
  # -bios at SVC, and an ELF entered in HYP: PSCI as for plain-elf.
  ccdma_arm_boot_test(plain-bios-smp${n} CONFIG plain BOOT bios VIRTIO
    ARGS --qemu-arg "-smp ${n}" --expect "^ccdma: cpus: ${n} of ${n} online.*mpidr=0x1 psci"
      ${smp_selftests})
  ccdma_arm_boot_test(el2-elf-smp${n} CONFIG el2 BOOT elf VIRTIO
    ARGS --qemu-arg "-smp ${n}" --expect "^ccdma: cpus: ${n} of ${n} online.*mpidr=0x1 psci"
      ${smp_selftests})
endforeach()
ccdma_arm_boot_test(el3-elf-smp2 CONFIG el3 BOOT elf VIRTIO
  ARGS --qemu-arg "-smp 2" --expect "^ccdma: cpus: 2 of 2 online.*mpidr=0x1 pen"
    ${smp_selftests})
# With an EL2 too: each released CPU goes Secure SVC>MON>HYP>SVC as the
# boot CPU does.
ccdma_arm_boot_test(el3-el2-bios-smp2 CONFIG el3 BOOT bios VIRTIO
  ARGS --machine-extra virtualization=on --qemu-arg "-smp 2"
    --expect "^ccdma: arch=AArch32 .* path=Secure SVC>MON>HYP>SVC \\(Non-secure\\)"
    --expect "^ccdma: cpus: 2 of 2 online.*mpidr=0x1 pen" ${smp_selftests})
# A CPU the DTB's /cpus leaves out (QEMU's own tree for -smp 4, less
# cpu@3) is released with the others, finds no index, and stays parked:
# the three listed run, the fourth is named. (No brackets in the pattern:
# CMake does not split a list inside them.)
find_program(FDTPUT fdtput)
if(FDTPUT)
  set(dtb3 ${CMAKE_BINARY_DIR}/virt-el3-smp4-cpus3.dtb)
  add_custom_command(OUTPUT ${dtb3}
    COMMAND ${QEMU_ARM} -M virt,secure=on,dumpdtb=${dtb3}.full -cpu cortex-a15 -smp 4 -m 1G
            -display none -nic none
    COMMAND ${FDTPUT} -r ${dtb3}.full /cpus/cpu@3 /cpus/cpu-map/socket0/cluster0/core3
    COMMAND ${CMAKE_COMMAND} -E rename ${dtb3}.full ${dtb3}
    COMMENT "DTB of virt,secure=on -smp 4 without cpu@3")
  add_custom_target(arm_test_dtbs ALL DEPENDS ${dtb3})
  ccdma_arm_boot_test(el3-bios-smp4-unlisted CONFIG el3 BOOT bios VIRTIO
    ARGS --qemu-arg "-smp 4" --qemu-arg "-dtb ${dtb3}"
      --expect "^ccdma: cpus: 3 of 3 online.*mpidr=0x2 pen., 1 parked .mpidr=0x3 pen: not in /cpus."
      ${smp_selftests})
else()
  message(STATUS "fdtput not found: boot-arm-el3-bios-smp4-unlisted left out")
endif()
foreach(n 2 4)
  ccdma_arm_boot_test(plain-elf-smp${n} CONFIG plain BOOT elf VIRTIO
    ARGS --qemu-arg "-smp ${n}" --expect "^ccdma: cpus: ${n} of ${n} online"
      --expect "^ok .* - smp_dma: concurrent map/unmap")
  ccdma_arm_boot_test(el2-bios-smp${n} CONFIG el2 BOOT bios VIRTIO
    ARGS --qemu-arg "-smp ${n}" --expect "^ccdma: cpus: ${n} of ${n} online"
      --expect "^ok .* - smp_dma: concurrent map/unmap")
endforeach()
# Secure SVC with an EL2: Monitor drops to Non-secure HYP, HYP to SVC.
ccdma_arm_boot_test(el3-el2-elf CONFIG el3 BOOT elf VIRTIO
  ARGS --machine-extra virtualization=on
       --expect "^ccdma: arch=AArch32 .* path=Secure SVC>MON>HYP>SVC \\(Non-secure\\)")
# The DMA self-tests and the disk round trip with every device bouncing and
# 32-bit DMA masks.
ccdma_arm_boot_test(plain-elf-bounce32 CONFIG plain BOOT elf VIRTIO
  ARGS --append "ccdma.force_bounce=1 ccdma.dma_bits=32"
       --expect "masks 32-bit, forced bounce: ready"
       --expect "^ok [0-9]+ - dma_bounce: bounce: ")
# RAM above 4 GiB (-m 4G puts 1 GiB there) has no 32-bit address: left out.
ccdma_arm_boot_test(plain-elf-4g CONFIG plain BOOT elf
  ARGS --memory 4G --expect "0x40000000 bytes above the address space left out")
# An unexpected exception is decoded and fails the run: at PL1 (a data
# abort, an undefined instruction) and in HYP (an HVC trapped from SVC).
ccdma_arm_boot_test(crash-dabt CONFIG plain BOOT elf
  ARGS --append ccdma.crash=dabt --expect-fatal "unexpected exception at PL1"
       --expect "^ccdma: UNEXPECTED EXCEPTION at PL1: data abort"
       --expect "^ccdma:   from SVC mode, Thumb state: pc=0x4"
       --expect "translation fault at level [1-3] on read .*DFAR=0x3ff00010")
ccdma_arm_boot_test(crash-undef CONFIG el3 BOOT elf
  ARGS --append ccdma.crash=undef --expect-fatal "unexpected exception at PL1"
       --expect "^ccdma: UNEXPECTED EXCEPTION at PL1: undefined instruction")
ccdma_arm_boot_test(crash-hvc CONFIG el2 BOOT elf
  ARGS --append ccdma.crash=hvc --expect-fatal "unexpected exception in HYP mode"
       --expect "^ccdma: UNEXPECTED EXCEPTION in HYP mode: trap to HYP mode"
       --expect "^ccdma:   from SVC mode, Thumb state"
       --expect "HSR=0x4[89a-f][0-9a-f]{6}: HVC \\(EC=0x12\\)")
