# The in-firmware benchmark (docs/benchmarks.md), included at the end of
# cmake/firmware.cmake: its sources go into ccdma.elf (boot/main.c calls it
# when the boot option ccdma.bench=1 or ccdma.bench_quick=1 is given), and
# on QEMU a smoke test runs the quick mode in a realm and in a plain boot.
file(GLOB bench_fw_sources CONFIGURE_DEPENDS ${CCDMA_ROOT}/bench/firmware/*.c)
target_sources(ccdma.elf PRIVATE ${bench_fw_sources})

if(CCDMA_PLATFORM STREQUAL "qemu-virt" AND TARGET ccdma-realm.elf)
  # Checks only that every line and file is produced and well-formed; it
  # never judges speed.
  add_test(NAME bench-qemu-quick
    COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/bench/bench.py qemu --quick
      --qemu ${QEMU_AARCH64} --fw-dir ${CMAKE_BINARY_DIR}
      --out ${CMAKE_BINARY_DIR}/bench-quick --check)
  set_tests_properties(bench-qemu-quick PROPERTIES TIMEOUT 300 LABELS "qemu;bench")
endif()
