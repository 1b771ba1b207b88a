# The EL2 realm monitor and its boot tests (docs/realm.md, issue 3).
# Included from cmake/firmware.cmake after tests/qemu/boot_tests.cmake.
#
# ccdma-realm.elf = the monitor, linked and loaded at CCDMA_MONITOR_BASE and
# entered at EL2, + the realm payload ccdma.bin as a second segment loaded at
# CCDMA_REALM_PAYLOAD_PA (= the PA of realm IPA 0x4020_0000).
if(NOT COMMAND ccdma_boot_test)
  message(FATAL_ERROR "include monitor.cmake after tests/qemu/boot_tests.cmake")
endif()
include(${CCDMA_ROOT}/arch/arm64/portable.cmake) # ccdma_realm_model

set(CCDMA_MONITOR_BASE 0x80000000 CACHE STRING "Where the realm monitor is linked and loaded")
set(CCDMA_REALM_PAYLOAD_PA 0xC0200000 CACHE STRING "PA of the realm payload (realm IPA 0x40200000)")
math(EXPR monitor_text_offset "${CCDMA_MONITOR_BASE} - ${CCDMA_RAM_BASE}" OUTPUT_FORMAT HEXADECIMAL)

set(mon ${CCDMA_ROOT}/arch/arm64/monitor)
file(GLOB monitor_sources CONFIGURE_DEPENDS ${mon}/*.c ${mon}/*.S)
list(REMOVE_ITEM monitor_sources ${mon}/realm_model.c) # from ccdma_realm_model
set(realm_payload ${CMAKE_BINARY_DIR}/ccdma.bin)

add_executable(ccdma-realm.elf ${monitor_sources}
  ${CCDMA_ROOT}/boot/head.S
  ${CCDMA_ROOT}/boot/vectors.S
  ${CCDMA_ROOT}/boot/console.c
  ${CCDMA_ROOT}/boot/dt_platform.c
  ${CCDMA_ROOT}/boot/shutdown.c
  ${CCDMA_ROOT}/boot/stack_protector.c
  ${CCDMA_ROOT}/arch/arm64/exception.c
  ${CCDMA_ROOT}/arch/arm64/probe.S
  ${CCDMA_ROOT}/arch/arm64/platform.c
  ${CCDMA_ROOT}/arch/arm64/smccc_conduit.c  # boot/shutdown.c's realm exit (unused at EL2)
  ${CCDMA_ROOT}/arch/arm64/smccc_conduit.S
  ${CCDMA_ROOT}/drivers/pl011/pl011.c)
target_compile_definitions(ccdma-realm.elf PRIVATE
  CCDMA_REALM_MONITOR
  CCDMA_TEXT_OFFSET=${monitor_text_offset}
  CCDMA_EARLY_UART=${CCDMA_EARLY_UART}
  CCDMA_MONITOR_BASE=${CCDMA_MONITOR_BASE}
  CCDMA_REALM_PAYLOAD_PA=${CCDMA_REALM_PAYLOAD_PA}
  CCDMA_REALM_PAYLOAD_FILE="${realm_payload}")
target_include_directories(ccdma-realm.elf PRIVATE ${mon})
# .incbin: reassemble when the payload changes.
set_source_files_properties(${mon}/realm_payload.S PROPERTIES OBJECT_DEPENDS ${realm_payload})
# Runs with the MMU off until el2_mmu_enable(): no memset the compiler invents.
set_source_files_properties(${mon}/monitor_main.c ${mon}/el2_mmu.c
  PROPERTIES COMPILE_OPTIONS "-fno-tree-loop-distribute-patterns")
target_link_libraries(ccdma-realm.elf PRIVATE ccdma_realm_model ccdma_fdt)
target_link_options(ccdma-realm.elf PRIVATE
  -T ${CCDMA_ROOT}/linker/monitor.ld
  -Wl,--defsym=CCDMA_MONITOR_BASE=${CCDMA_MONITOR_BASE}
  -Wl,--defsym=CCDMA_REALM_PAYLOAD_PA=${CCDMA_REALM_PAYLOAD_PA}
  -Wl,-Map=${CMAKE_BINARY_DIR}/ccdma-realm.map)
set_target_properties(ccdma-realm.elf PROPERTIES LINK_DEPENDS ${CCDMA_ROOT}/linker/monitor.ld)

# Boot tests: the realm runtime under the monitor, plain and with each fault
# injection. The realm's self-tests read the same bootargs to know what to
# expect; the monitor's counters and poison scan are checked here.
set(realm_elf ${CMAKE_BINARY_DIR}/ccdma-realm.elf)
set(realm_common --memory 3G --expect-el 1
  --qemu-arg "-global virtio-mmio.force-legacy=false"
  --expect "monitor: end-of-run ring check: .* clean"
  --expect "monitor: poison window .* intact"
  --reject "monitor: (LEAK|PRIVATE ADDRESS|BAD RING)")
function(ccdma_realm_test name)
  ccdma_boot_test(${name} CONFIG el2 BOOT elf IMAGE ${realm_elf} MODE realm VIRTIO
    ARGS ${realm_common} ${ARGN})
endfunction()
ccdma_realm_test(realm
  --expect "monitor: counters .*ipa_state_set=[1-9]"
  --expect "monitor: counters .*notifies_checked=[1-9]")
# The boot claim of all RAM is the first IPA_STATE_SET: fail_after=1 lets it
# through, so the injection meets the self-tests' share/unshare calls.
ccdma_realm_test(realm-reject --append "ccdma.inject=reject ccdma.fail_after=1"
  --expect "monitor: counters .*rejects=[1-9]")
ccdma_realm_test(realm-one-granule --append "ccdma.inject=one_granule"
  --expect "monitor: counters .*injected=[1-9]")
# The host refuses to share anything: no DMA, no device; the disk is untouched.
ccdma_realm_test(realm-rsi-error --append "ccdma.inject=rsi_error ccdma.fail_after=1"
  --no-disk-check
  --expect "monitor: counters .*injected=[1-9]")
# The fault-injection matrix (issue 7): every boot must end with each
# self-test passing or reporting the expected clean error, and no page
# reused after a failed conversion (the self-tests check quarantine).
ccdma_realm_test(realm-reject-empty --append "ccdma.inject=reject_empty ccdma.fail_after=1"
  --no-disk-check --expect "monitor: counters .*rejects=[1-9]")
# Errors that start mid-run: boot, DMA and device setup succeed, then
# conversions fail at different points of the self-tests.
foreach(after 14 20 26 32)
  ccdma_realm_test(realm-rsi-error-after-${after}
    --append "ccdma.inject=rsi_error ccdma.fail_after=${after}"
    --expect "monitor: counters .*injected=[1-9]")
endforeach()
# Two misbehaviours at once: partial progress, then a REJECT mid-range.
ccdma_realm_test(realm-reject-partial
  --append "ccdma.inject=reject,one_granule ccdma.fail_after=1"
  --expect "monitor: counters .*rejects=[1-9]")
ccdma_realm_test(realm-wipe-5c --append "ccdma.wipe=0x5c"
  --expect "monitor: strict=1 wipe=0x5c")
# Pools far too small for the workload: clean ENOSPC, growth in ccdma_poll().
ccdma_realm_test(realm-pools-small --append "ccdma.swiotlb_kib=256 ccdma.atomic_kib=8")
ccdma_realm_test(realm-wipe-zero --append "ccdma.wipe=0x00"
  --expect "monitor: strict=1 wipe=0x00"
  --expect "monitor: counters .*granules_to_shared=[1-9]")
