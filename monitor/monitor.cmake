# The monitor: the host and the emulated RMM, one program of its own at
# EL2 (docs/realm.md). Included from cmake/firmware.cmake after
# tests/qemu/boot_tests.cmake. Two images share the host:
#   ccdma-realm.elf  host + emulated RMM, QEMU -kernel at EL2 on any QEMU;
#   ccdma-host.bin   host alone, TF-A's BL33 at NS-EL2, RMI over SMC to
#                    TF-RMM (QEMU 10 with FEAT_RME).
# Both carry the realm's Image, ccdma.bin, the very file -kernel boots.
if(NOT COMMAND ccdma_boot_test)
  message(FATAL_ERROR "include monitor.cmake after tests/qemu/boot_tests.cmake")
endif()

# Where each image is linked. The emulated one sits just above the poison
# window, so a machine with too little RAM still runs it far enough to say
# so; TF-A's BL2 loads BL33 at 0x6000_0000 (NS_IMAGE_OFFSET on qemu).
set(CCDMA_MONITOR_BASE 0x50000000)
set(CCDMA_HOST_BL33_BASE 0x60000000)

set(mon ${CCDMA_ROOT}/monitor)
set(realm_image ${CMAKE_BINARY_DIR}/ccdma.bin)
file(GLOB mon_el2 CONFIGURE_DEPENDS ${mon}/el2/*.c ${mon}/el2/*.S)
file(GLOB mon_host CONFIGURE_DEPENDS ${mon}/host/*.c)
list(REMOVE_ITEM mon_host ${mon}/host/rmm_firmware.c)
file(GLOB mon_rmm CONFIGURE_DEPENDS ${mon}/rmm/*.c ${mon}/rmm/*.S)
file(GLOB mon_measure CONFIGURE_DEPENDS ${mon}/measure/*.c)

# What both images are made of: the EL2 machine layer, the host, the
# validated DTB parser the runtime also uses, and the exception decode and
# probes of arch/arm64.
add_library(monitor_common OBJECT ${mon_el2} ${mon_host} ${mon_measure}
  ${CCDMA_ROOT}/boot/dt_platform.c
  ${CCDMA_ROOT}/boot/framed_hex.c
  ${CCDMA_ROOT}/arch/arm64/exception.c
  ${CCDMA_ROOT}/arch/arm64/picolibc_stdio.c
  ${CCDMA_ROOT}/arch/arm64/probe.S)
target_include_directories(monitor_common PRIVATE
  ${mon}/include ${mon}/el2 ${mon}/host ${mon}/measure
  $<TARGET_PROPERTY:ccdma_fdt,INTERFACE_INCLUDE_DIRECTORIES>)
set_source_files_properties(${mon}/el2/realm_image.S PROPERTIES
  COMPILE_DEFINITIONS "CCDMA_REALM_IMAGE_FILE=\"${realm_image}\""
  OBJECT_DEPENDS ${realm_image})
# Runs with the MMU off: no memset the compiler invents.
set_source_files_properties(${mon}/el2/main.c ${mon}/el2/mmu.c
  PROPERTIES COMPILE_OPTIONS "-fno-tree-loop-distribute-patterns")
add_dependencies(monitor_common firmware)

add_library(monitor_rmm OBJECT ${mon_rmm})
target_include_directories(monitor_rmm PRIVATE ${mon}/include ${mon}/el2 ${mon}/rmm ${mon}/measure
  $<TARGET_PROPERTY:ccdma_fdt,INTERFACE_INCLUDE_DIRECTORIES>)
if(TARGET ccdma_hash)
  target_link_libraries(monitor_rmm PRIVATE ccdma_hash)
  target_link_libraries(monitor_common PRIVATE ccdma_hash)
endif()

function(monitor_image target base)
  add_executable(${target} $<TARGET_OBJECTS:monitor_common> ${ARGN})
  target_link_libraries(${target} PRIVATE ccdma_fdt $<TARGET_NAME_IF_EXISTS:ccdma_hash>)
  target_link_options(${target} PRIVATE
    -T ${CCDMA_ROOT}/linker/monitor.ld
    -Wl,--defsym=CCDMA_MONITOR_BASE=${base}
    -Wl,-Map=${CMAKE_BINARY_DIR}/${target}.map)
  set_target_properties(${target} PROPERTIES LINK_DEPENDS ${CCDMA_ROOT}/linker/monitor.ld)
endfunction()

monitor_image(ccdma-realm.elf ${CCDMA_MONITOR_BASE} $<TARGET_OBJECTS:monitor_rmm>)
monitor_image(ccdma-host.elf ${CCDMA_HOST_BL33_BASE} ${mon}/host/rmm_firmware.c
  ${mon}/host/rmi_smc.S)
target_include_directories(ccdma-host.elf PRIVATE ${mon}/include ${mon}/el2 ${mon}/measure)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ccdma-host.bin
  COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:ccdma-host.elf> ${CMAKE_BINARY_DIR}/ccdma-host.bin
  DEPENDS ccdma-host.elf COMMENT "BL33 image ccdma-host.bin")
add_custom_target(monitor ALL DEPENDS ccdma-realm.elf ${CMAKE_BINARY_DIR}/ccdma-host.bin)

# Boot tests: the realm runtime under the host and the emulated RMM, plain
# and with each host policy or RMM fault. The realm's self-tests read the
# same bootargs (and the policy the host advertises in their DTB) to know
# what to expect; the counters, the teardown and the poison scan are
# checked here.
set(realm_elf ${CMAKE_BINARY_DIR}/ccdma-realm.elf)
set(realm_common --memory 3G --expect-el 1
  --qemu-arg "-global virtio-mmio.force-legacy=false"
  --expect "monitor: end-of-run ring check: .* clean"
  --expect "monitor: teardown: all [1-9][0-9]* granules the host delegated are undelegated"
  --expect "monitor: poison window .* intact"
  --reject "monitor: (LEAK|PRIVATE ADDRESS|BAD RING|teardown FAILED)")
# GICv3: the host's time slices for the RECs need it (monitor/host/preempt.c);
# a test's own --machine-extra comes later and must name it again.
function(ccdma_realm_test name)
  ccdma_boot_test(${name} CONFIG el2 BOOT elf IMAGE ${realm_elf} MODE realm VIRTIO
    ARGS ${realm_common} --machine-extra gic-version=3 ${ARGN})
endfunction()
# Measurements: the RIM the host predicts is the one the realm reads back.
set(rim_same --same "monitor: expected RIM (\\S+)" "# measurement: RIM (\\S+)")
if(CCDMA_HAVE_HASH)
  list(APPEND realm_common ${rim_same} --expect "ok .* - realm_measurement: measurement: REM\\[0\\] is the DTB")
endif()
ccdma_realm_test(realm
  --expect "rmm: counters .*ipa_state_set=[1-9]"
  --expect "monitor: rmi rmm=emulated .*data_create=[1-9].* rec_enter=[1-9].* rtt_set_ripas=[1-9]"
  --expect "monitor: counters .*notifies_checked=[1-9]"
  --expect "^ccdma: entropy: no trusted source in this realm \\(no FEAT_RNG\\)")
# The boot claim of all RAM is the first IPA_STATE_SET: fail_after=1 lets it
# through, so the injection meets the self-tests' share/unshare calls.
ccdma_realm_test(realm-reject --append "ccdma.inject=reject ccdma.fail_after=1"
  --expect "monitor: counters .*rejects=[1-9]")
ccdma_realm_test(realm-one-granule --append "ccdma.inject=one_granule"
  --expect "monitor: counters .*injected=[1-9]")
# The host refuses to share anything: no DMA, no device; the disk is untouched.
ccdma_realm_test(realm-rsi-error --append "ccdma.inject=rsi_error ccdma.fail_after=1"
  --no-disk-check
  --expect "rmm: counters .*faults_injected=[1-9]")
# The fault-injection matrix: every boot must end with each self-test
# passing or reporting the expected clean error, and no page reused after a
# failed conversion (the self-tests check quarantine).
ccdma_realm_test(realm-reject-empty --append "ccdma.inject=reject_empty ccdma.fail_after=1"
  --no-disk-check --expect "monitor: counters .*rejects=[1-9]")
# Errors that start mid-run: boot, DMA and device setup succeed, then
# conversions fail at different points of the self-tests.
foreach(after 14 20 26 32)
  ccdma_realm_test(realm-rsi-error-after-${after}
    --append "ccdma.inject=rsi_error ccdma.fail_after=${after}"
    --expect "rmm: counters .*faults_injected=[1-9]")
endforeach()
# Two misbehaviours at once: partial progress, then a REJECT mid-range.
ccdma_realm_test(realm-reject-partial
  --append "ccdma.inject=reject,one_granule ccdma.fail_after=1"
  --expect "monitor: counters .*rejects=[1-9]")
ccdma_realm_test(realm-wipe-5c --append "ccdma.wipe=0x5c"
  --expect "monitor: strict=1 wipe=0x5c")
# Pools far too small for the workload: clean ENOSPC, growth in ccdma_poll().
ccdma_realm_test(realm-pools-small --append "ccdma.swiotlb_kib=256 ccdma.atomic_kib=8")
# One REC per vCPU: REC 0 starts the others with PSCI CPU_ON, the host
# completes each (RMI_PSCI_COMPLETE) and runs them all on its one CPU in
# time slices; the SMP self-tests run on every vCPU.
ccdma_realm_test(realm-smp2 --qemu-arg "-smp 2" --expect "^ccdma: cpus: 2 of 2 online"
  --expect "monitor: recs n=2 cpu_on=[1-9][0-9]* .*slices_ended=[1-9]")
ccdma_realm_test(realm-smp4 --qemu-arg "-smp 4" --expect "^ccdma: cpus: 4 of 4 online"
  --expect "monitor: recs n=4 cpu_on=[3-9][0-9]* .*slices_ended=[1-9]"
  --expect "^ok .* - smp_dma: blk reads from every CPU")
# Interrupts in a realm: the host emulates its GICv3 and injects through the
# REC's list registers; the SGI probe arrives, the self-tests' SGIs, unknown
# line, storm and timer wake-up work, and virtio-blk completes by interrupt.
set(realm_irq_expect
  --expect "monitor: vgic: GICv3 distributor and [1-9][0-9]* redistributors emulated"
  --expect "^ccdma: irq: GICv3 at 0x[0-9a-f]+, interrupts on"
  --expect "completions by interrupt, INTID [1-9][0-9]*"
  --expect "^ok .* - irq: a line that never stops firing is disabled as a storm"
  --expect "^ok .* - irq: a sleeping wait that nothing wakes returns by the timer"
  --expect "^ok .* - virtio_blk: requests completed by interrupt"
  --expect "# blk: completion by interrupt: [1-9][0-9]* interrupts"
  --expect "^ccdma: irq: at the end: [1-9][0-9]* taken, .* timer, 0 on disabled lines"
  --expect "monitor: vgic mmio=[1-9][0-9]* sgis=[1-9][0-9]* lines=[1-9][0-9]* injected=[1-9][0-9]* eois=[1-9]")
ccdma_realm_test(realm-irq ${realm_irq_expect})
ccdma_realm_test(realm-irq-smp2 --qemu-arg "-smp 2" ${realm_irq_expect}
  --expect "^ccdma: cpus: 2 of 2 online")
# A hostile virtual GIC: the device SPIs the realm enabled stay pending
# whatever it disables (a storm), or one it never enabled keeps coming. The
# realm counts them, disables the line, masks everything when disabling
# does not help, and runs on polled: every other self-test still passes.
set(realm_irq_hostile
  --expect "^ccdma: irq: GICv3 at 0x[0-9a-f]+, interrupts on"
  --expect "monitor: vgic .*hostile=[1-9]")
ccdma_realm_test(realm-irq-storm --append "ccdma.inject=virq_storm" ${realm_irq_hostile}
  --expect "monitor: hostile vgic: the device SPIs the realm enabled"
  --expect "^ccdma: irq: at the end: .* [1-9][0-9]* storms, .* [1-9][0-9]* on disabled lines. given up")
ccdma_realm_test(realm-irq-unknown --append "ccdma.inject=virq_unknown" ${realm_irq_hostile}
  --expect "monitor: hostile vgic: an SPI the realm never enabled"
  --expect "^ccdma: irq: at the end: .* [1-9][0-9]* unknown, .* [1-9][0-9]* on disabled lines. given up")
# Without a GICv3 the host has no time slices: one vCPU, said so.
ccdma_boot_test(realm-smp2-gicv2 CONFIG el2 BOOT elf IMAGE ${realm_elf} MODE realm VIRTIO
  ARGS ${realm_common} --machine-extra gic-version=2 --qemu-arg "-smp 2"
    --expect "monitor: no GICv3 for the host's time slices: the realm gets one vCPU"
    --expect "^ccdma: cpus: 1 of 1 online")
# virtio-pci in the realm: ECAM and BARs are emulated MMIO the host
# replays, its doorbells checked as virtio-mmio's are. highmem=off keeps
# the bridge below the realm's shared bit.
ccdma_realm_test(realm-pci --transport pci --machine-extra highmem=off,gic-version=3
  --expect "monitor: PCI ECAM .* served, 2 virtio functions"
  --expect "virtio-pci@00:0[0-9a-f]\\.0: block, virtio-pci"
  --expect "monitor: counters .*mmio_pci=[1-9].*notifies_checked=[1-9]")
# QEMU's default, legacy virtio-mmio: refused in a realm, naming the cause
# and the option that gives the modern transport; its checks skip.
ccdma_boot_test(realm-legacy-mmio CONFIG el2 BOOT elf IMAGE ${realm_elf} MODE realm VIRTIO
  ARGS --memory 3G --expect-el 1 --legacy --no-disk-check
  --expect "monitor: teardown: all [1-9][0-9]* granules the host delegated are undelegated"
  --expect "device 2 not used: legacy virtio-mmio \\(version 1\\).*-global virtio-mmio.force-legacy=false"
  --expect "^ok .* - virtio_blk: disk round trip # SKIP legacy virtio-mmio in a realm"
  --expect "^ok .* - virtio_rng: entropy # SKIP legacy virtio-mmio in a realm")
ccdma_realm_test(realm-wipe-zero --append "ccdma.wipe=0x00"
  --expect "monitor: strict=1 wipe=0x00"
  --expect "monitor: counters .*granules_to_shared=[1-9]")

# ---- The same realm under TF-RMM (QEMU 10 with FEAT_RME) -------------------------------
# ./ccdma test fetches and builds the stack (toolchain/deps.sh) and names it
# here; where it cannot be had, each test below reports itself skipped with
# the reason. The flash image is TF-A's BL1 and a FIP whose BL33 is
# ccdma-host.bin, which carries the same ccdma.bin as ccdma-realm.elf.
set(CCDMA_QEMU_RME "" CACHE FILEPATH "qemu-system-aarch64 with FEAT_RME (toolchain/deps.sh qemu-rme)")
set(CCDMA_RME_STACK "" CACHE PATH "TF-A + TF-RMM build (toolchain/deps.sh rme-stack)")
set(CCDMA_RME_UNAVAILABLE "" CACHE STRING "Why the TF-RMM stack cannot be had here")
set(rme_flash ${CMAKE_BINARY_DIR}/ccdma-rme-flash.bin)
set(rme_why "${CCDMA_RME_UNAVAILABLE}")
if(NOT rme_why AND (NOT CCDMA_QEMU_RME OR NOT CCDMA_RME_STACK))
  set(rme_why "the TF-A/TF-RMM stack and QEMU with FEAT_RME were not prepared (run ./ccdma deps, or ./ccdma test)")
endif()
if(NOT rme_why)
  add_custom_command(OUTPUT ${rme_flash}
    COMMAND ${CCDMA_ROOT}/toolchain/deps.sh rme-flash ${CMAKE_BINARY_DIR}/ccdma-host.bin ${rme_flash}
    DEPENDS ${CMAKE_BINARY_DIR}/ccdma-host.bin ${CCDMA_RME_STACK}/fip.bin
    COMMENT "TF-A flash image with ccdma-host.bin as BL33")
  add_custom_target(rme_flash ALL DEPENDS ${rme_flash})
endif()

# ccdma_tfrmm_test(NAME [harness args...]): the realm under TF-RMM.
function(ccdma_tfrmm_test name)
  if(rme_why)
    ccdma_skipped_test(boot-${name} "${rme_why}")
    return()
  endif()
  ccdma_boot_test(${name} CONFIG rme BOOT bios IMAGE ${rme_flash} MODE realm VIRTIO
    QEMU ${CCDMA_QEMU_RME}
    ARGS --cpu max,x-rme=on ${realm_common}
      --expect "^Booting RMM v\\.0\\.7\\.0"
      --expect "monitor: realm built on the tf-rmm RMM"
      ${ARGN})
endfunction()

ccdma_tfrmm_test(tfrmm-realm
  --expect "^ccdma: el=1->1 mode=realm rsi=1\\.0"
  --expect "monitor: rmi rmm=tf-rmm .*data_create=[1-9].* rec_enter=[1-9].* rtt_set_ripas=[1-9]"
  --expect "^ccdma: entropy: 4 words of RNDR \\(FEAT_RNG\\)")
ccdma_tfrmm_test(tfrmm-realm-irq ${realm_irq_expect})
ccdma_tfrmm_test(tfrmm-realm-irq-storm --append "ccdma.inject=virq_storm" ${realm_irq_hostile}
  --expect "^ccdma: irq: at the end: .* [1-9][0-9]* storms, .* [1-9][0-9]* on disabled lines. given up")
ccdma_tfrmm_test(tfrmm-realm-smp2 --qemu-arg "-smp 2" --timeout 240 --expect "^ccdma: cpus: 2 of 2 online"
  --expect "monitor: recs n=2 cpu_on=[1-9][0-9]* .*slices_ended=[1-9]")
# Four RECs on one CPU under TF-RMM: each switch is a world switch through
# EL3, and the idle vCPUs still take (short) slices; the slowest boot here.
ccdma_tfrmm_test(tfrmm-realm-smp4 --qemu-arg "-smp 4" --timeout 280
  --expect "^ccdma: cpus: 4 of 4 online" --expect "^ok .* - smp_dma: blk reads from every CPU"
  --expect "monitor: recs n=4 cpu_on=[3-9][0-9]* .*slices_ended=[1-9]")
ccdma_tfrmm_test(tfrmm-realm-pci --transport pci --machine-extra highmem=off
  --expect "monitor: PCI ECAM .* served, 2 virtio functions"
  --expect "virtio-pci@00:0[0-9a-f]\\.0: block, virtio-pci"
  --expect "monitor: counters .*mmio_pci=[1-9].*notifies_checked=[1-9]")
ccdma_tfrmm_test(tfrmm-realm-reject --append "ccdma.inject=reject ccdma.fail_after=1"
  --expect "monitor: counters .*rejects=[1-9]")
ccdma_tfrmm_test(tfrmm-realm-reject-empty --append "ccdma.inject=reject_empty ccdma.fail_after=1"
  --no-disk-check --expect "monitor: counters .*rejects=[1-9]")
ccdma_tfrmm_test(tfrmm-realm-reject-partial
  --append "ccdma.inject=reject,one_granule ccdma.fail_after=1"
  --expect "monitor: counters .*rejects=[1-9]")
ccdma_tfrmm_test(tfrmm-realm-wipe-zero --append "ccdma.wipe=0x00"
  --expect "monitor: strict=1 wipe=0x00")

# A hostile DTB puts a virtio-mmio window where the realm keeps memory, and
# each place is seen by one check only. Over RAM the tree leaves out of
# /memory: the RIPAS of the window's protected IPA is RAM, so it is refused
# and the rest runs, under both RMMs. Over the image, which the tree leaves
# out of /memory: refused by the runtime's own footprint; the dtb self-test
# reports the tree's lie and DMA from the image's buffers is refused
# (foreign memory), so the verdict is a clean failure.
set(mmio_over_ram --append "ccdma.inject=mmio_over_ram"
  --expect "monitor: hostile DTB: a virtio-mmio node over the realm's RAM"
  --expect "^ccdma: device tree: 1 device windows over realm RAM \\(RIPAS not EMPTY\\) refused"
  --reject "virtio@0x4fe00000")
ccdma_realm_test(realm-mmio-over-ram ${mmio_over_ram})
ccdma_tfrmm_test(tfrmm-realm-mmio-over-ram ${mmio_over_ram})
ccdma_realm_test(realm-mmio-over-image --append "ccdma.inject=mmio_over_image" --no-disk-check
  --expect-exit 1
  --expect "^ccdma: device tree: 1 device windows over the runtime's own memory refused"
  --expect-not-ok "dtb: the running image lies in reported RAM"
  --expect-not-ok "err=-8 \\(unknown or foreign address\\)|u1=-8 u2=-8|n1=-8 n2=-8"
  --reject "virtio@0x40210000")

# The differential conformance suite: the realm prints one canonical line
# per RSI call and access of its table (tests/boot/selftest_conformance.c)
# under each RMM; every difference must be listed in docs/realm.md.
if(rme_why)
  ccdma_skipped_test(conformance-diff "${rme_why}")
else()
  set_tests_properties(boot-realm PROPERTIES FIXTURES_SETUP conf_emulated)
  set_tests_properties(boot-tfrmm-realm PROPERTIES FIXTURES_SETUP conf_tfrmm)
  add_test(NAME conformance-diff COMMAND ${Python3_EXECUTABLE}
    ${CCDMA_ROOT}/tests/qemu/conformance_diff.py
    --emulated ${CMAKE_BINARY_DIR}/boot-realm.log
    --tf-rmm ${CMAKE_BINARY_DIR}/boot-tfrmm-realm.log
    --doc ${CCDMA_ROOT}/docs/realm.md)
  set_tests_properties(conformance-diff PROPERTIES
    FIXTURES_REQUIRED "conf_emulated;conf_tfrmm" LABELS qemu)
endif()

# A realm that touches memory whose RIPAS is DESTROYED cannot go on: the
# access is a REC exit with no progress (not an abort it could handle),
# and the host ends the run. Under both RMMs.
set(touch_destroyed --append "ccdma.selftest_touch_destroyed=1" --no-disk-check
  --expect-exit 1
  --expect-stop "monitor: REC exit 0: .*: the realm touched protected memory whose RIPAS is DESTROYED"
  --expect "monitor: teardown: all [1-9][0-9]* granules the host delegated are undelegated"
  --reject "destroyed: a DESTROYED page is never readable")
ccdma_boot_test(realm-touch-destroyed CONFIG el2 BOOT elf IMAGE ${realm_elf} MODE realm VIRTIO
  ARGS --memory 3G --expect-el 1 --qemu-arg "-global virtio-mmio.force-legacy=false"
    ${touch_destroyed})
if(rme_why)
  ccdma_skipped_test(boot-tfrmm-realm-touch-destroyed "${rme_why}")
else()
  ccdma_boot_test(tfrmm-realm-touch-destroyed CONFIG rme BOOT bios IMAGE ${rme_flash} MODE realm
    VIRTIO QEMU ${CCDMA_QEMU_RME}
    ARGS --cpu max,x-rme=on --memory 3G --expect-el 1
      --qemu-arg "-global virtio-mmio.force-legacy=false" ${touch_destroyed})
endif()

# Too little RAM for the realm's layout: a clear refusal, never a hang
# (docs/realm.md says which sizes work).
foreach(mem 1G 512M)
  ccdma_boot_test(realm-memory-${mem} CONFIG el2 BOOT elf IMAGE ${realm_elf} MODE realm
    ARGS --memory ${mem} --expect-exit 1
      --expect-stop "monitor: FATAL: the machine does not fit the realm layout"
      --expect "monitor: the realm layout needs RAM .*: run QEMU with -m 3G")
endforeach()

include(${CCDMA_ROOT}/tests/attest/attest_tests.cmake)
