# Firmware build: the AArch64 image, its -bios flash variant, and its tests
# (QEMU boots on qemu-virt; image checks on platforms we cannot run here).
set(CCDMA_PLATFORM qemu-virt CACHE STRING "Platform: qemu-virt or fvp-base-revc")
set_property(CACHE CCDMA_PLATFORM PROPERTY STRINGS qemu-virt fvp-base-revc)
include(${CCDMA_ROOT}/cmake/platform-${CCDMA_PLATFORM}.cmake)
set(CCDMA_PGTABLE_PAGES 256 CACHE STRING "Stage-1 page-table pool, in pages")
math(EXPR CCDMA_TEXT_OFFSET "${CCDMA_LOAD_BASE} - ${CCDMA_RAM_BASE}" OUTPUT_FORMAT HEXADECIMAL)

if(CCDMA_PLATFORM STREQUAL "qemu-virt")
  find_program(QEMU_AARCH64 qemu-system-aarch64 REQUIRED)
endif()
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# libfdt: Debian's arm64 libfdt-dev, fetched into the build tree.
set(CCDMA_LIBFDT_DIR ${CMAKE_BINARY_DIR}/deps/libfdt-arm64)
set(CCDMA_LIBFDT_A ${CCDMA_LIBFDT_DIR}/root/usr/lib/aarch64-linux-gnu/libfdt.a)
if(NOT EXISTS ${CCDMA_LIBFDT_A})
  message(STATUS "Fetching Debian libfdt-dev:arm64 into ${CCDMA_LIBFDT_DIR}")
  execute_process(
    COMMAND ${CCDMA_ROOT}/toolchain/fetch-deb.sh arm64 libfdt-dev ${CCDMA_LIBFDT_DIR}
    RESULT_VARIABLE fetch_rc)
  if(NOT fetch_rc EQUAL 0 OR NOT EXISTS ${CCDMA_LIBFDT_A})
    message(FATAL_ERROR "could not fetch libfdt-dev:arm64 (see above)")
  endif()
endif()
add_library(ccdma_fdt STATIC IMPORTED GLOBAL)
set_target_properties(ccdma_fdt PROPERTIES
  IMPORTED_LOCATION ${CCDMA_LIBFDT_A}
  INTERFACE_INCLUDE_DIRECTORIES ${CCDMA_LIBFDT_DIR}/root/usr/include)

add_compile_options(-Wall -Wextra -Werror -O2 -g)
include_directories(${CCDMA_ROOT} ${CCDMA_INCLUDE})
include(${CCDMA_ROOT}/cmake/mbedtls.cmake) # ccdma_hash, when the sources are there

include(${CCDMA_ROOT}/cmake/firmware-common.cmake)
# Portable pieces shared with the host build, and the runtime core.
include(${CCDMA_ROOT}/arch/arm64/portable.cmake OPTIONAL)
foreach(area dma drivers)
  if(EXISTS ${CCDMA_ROOT}/${area}/CMakeLists.txt)
    add_subdirectory(${area})
  endif()
endforeach()

file(GLOB boot_sources CONFIGURE_DEPENDS ${CCDMA_ROOT}/boot/*.c ${CCDMA_ROOT}/boot/*.S)
list(REMOVE_ITEM boot_sources ${CCDMA_ROOT}/boot/bios_stub.S)
file(GLOB arch_sources CONFIGURE_DEPENDS ${CCDMA_ROOT}/arch/arm64/*.c ${CCDMA_ROOT}/arch/arm64/*.S)
# The RSI client comes from portable.cmake (library ccdma_rsi).
list(REMOVE_ITEM arch_sources ${CCDMA_ROOT}/arch/arm64/rsi.c)
file(GLOB selftest_sources CONFIGURE_DEPENDS ${CCDMA_ROOT}/tests/boot/*.c)

set(fw_defs
  CCDMA_TEXT_OFFSET=${CCDMA_TEXT_OFFSET}
  CCDMA_DTB_FALLBACK=${CCDMA_RAM_BASE})

if(CCDMA_CNTFRQ_HZ)
  list(APPEND fw_defs CCDMA_CNTFRQ_HZ=${CCDMA_CNTFRQ_HZ})
endif()

add_executable(ccdma.elf ${boot_sources} ${arch_sources}
  ${CCDMA_ROOT}/drivers/pl011/pl011.c ${CCDMA_ROOT}/drivers/ns16550/ns16550.c
  ${CCDMA_ROOT}/arch/gicv2.c ${CCDMA_ROOT}/arch/pgtable.c)
target_compile_definitions(ccdma.elf PRIVATE ${fw_defs})
ccdma_selftest_libraries(ccdma.elf ${selftest_sources})
# The same core as an installable library for embedders, and the
# conformance self-tests beside it (docs/porting.md).
include(${CCDMA_ROOT}/cmake/install.cmake)

# The platform's built-in device tree, compiled with dtc and assembled in.
if(CCDMA_BUILTIN_DTS)
  find_program(DTC dtc REQUIRED)
  set(builtin_dtb ${CMAKE_BINARY_DIR}/builtin.dtb)
  add_custom_command(OUTPUT ${builtin_dtb}
    COMMAND ${DTC} -q -I dts -O dtb -o ${builtin_dtb} ${CCDMA_BUILTIN_DTS}
    DEPENDS ${CCDMA_BUILTIN_DTS} COMMENT "Built-in DTB")
  add_custom_target(builtin_dtb DEPENDS ${builtin_dtb})
  add_dependencies(ccdma.elf builtin_dtb)
  set_source_files_properties(${CCDMA_ROOT}/boot/builtin_dtb.S PROPERTIES
    COMPILE_DEFINITIONS "CCDMA_BUILTIN_DTB_PATH=\"${builtin_dtb}\""
    OBJECT_DEPENDS ${builtin_dtb})
  target_compile_definitions(ccdma.elf PRIVATE CCDMA_HAVE_BUILTIN_DTB)
endif()
# Runs with the MMU off: no memset/memcpy calls the compiler invents.
set_source_files_properties(${CCDMA_ROOT}/arch/arm64/mmu.c ${CCDMA_ROOT}/boot/main.c
  PROPERTIES COMPILE_OPTIONS "-fno-tree-loop-distribute-patterns")
set(fw_libs ccdma_fdt)
foreach(lib ccdma_drivers ccdma_dma ccdma_rsi ccdma_hash)
  if(TARGET ${lib})
    list(PREPEND fw_libs ${lib})
  endif()
endforeach()
target_link_libraries(ccdma.elf PRIVATE ${fw_libs})
# Position-independent: ccdma.bin relocates itself (boot/head.S), so the
# one file runs from whatever 2 MiB-aligned base + text_offset its loader
# chose. Only R_AARCH64_RELATIVE may remain (checked below).
target_link_options(ccdma.elf PRIVATE -static-pie -Wl,-z,notext
  -T ${CCDMA_ROOT}/linker/ccdma-virt.ld
  -Wl,--defsym=CCDMA_LOAD_BASE=${CCDMA_LOAD_BASE}
  -Wl,--defsym=CCDMA_PGTABLE_PAGES=${CCDMA_PGTABLE_PAGES}
  -Wl,-Map=${CMAKE_BINARY_DIR}/ccdma.map)
set_target_properties(ccdma.elf PROPERTIES LINK_DEPENDS ${CCDMA_ROOT}/linker/ccdma-virt.ld)
# picolibc's release build for the EL1 image: its memcpy and memset are the
# assembly routines (ldp/stp pairs, DC ZVA), not the size build's byte
# loops. Its memset, memchr and strchr use FP/SIMD registers, which the EL1
# vectors keep across every handler (boot/vectors.S); the EL2 monitor,
# which must not touch the realm's FP state, keeps the size build.
target_compile_options(ccdma.elf PRIVATE --picolibc-buildtype=release)
target_link_options(ccdma.elf PRIVATE --picolibc-buildtype=release)

# ccdma.bin: the arm64 Image (-kernel, kvmtool), once its relocations are
# all ones boot/head.S applies.
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ccdma.bin
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_relocs.py ${CMAKE_READELF}
    $<TARGET_FILE:ccdma.elf>
  COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:ccdma.elf> ${CMAKE_BINARY_DIR}/ccdma.bin
  DEPENDS ccdma.elf COMMENT "Image ccdma.bin")

# ccdma-bios.bin: the flash stub followed by the Image (-bios).
add_executable(bios_stub.elf ${CCDMA_ROOT}/boot/bios_stub.S)
target_compile_definitions(bios_stub.elf PRIVATE CCDMA_RAM_BASE=${CCDMA_RAM_BASE})
target_link_options(bios_stub.elf PRIVATE -nostdlib
  -T ${CCDMA_ROOT}/linker/bios-stub.ld -Wl,--defsym=CCDMA_FLASH_BASE=0)
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ccdma-bios.bin
  COMMAND ${CMAKE_OBJCOPY} -O binary --pad-to=0x1000 $<TARGET_FILE:bios_stub.elf> stub.bin
  COMMAND cat stub.bin ccdma.bin > ccdma-bios.bin
  WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
  DEPENDS bios_stub.elf ${CMAKE_BINARY_DIR}/ccdma.bin COMMENT "Flash image ccdma-bios.bin")

add_custom_target(firmware ALL DEPENDS ${CMAKE_BINARY_DIR}/ccdma.bin ${CMAKE_BINARY_DIR}/ccdma-bios.bin)

if(CCDMA_PLATFORM STREQUAL "qemu-virt")
  include(${CCDMA_ROOT}/tests/qemu/boot_tests.cmake)
  include(${CCDMA_ROOT}/monitor/monitor.cmake)
  include(${CCDMA_ROOT}/tests/kvmtool/kvmtool_tests.cmake)
  # examples/unikernel built against the installed package, then booted.
  include(${CCDMA_ROOT}/tests/qemu/example_unikernel.cmake)
else()
  include(${CCDMA_ROOT}/tests/image/image_tests.cmake)
endif()

# The in-firmware benchmark: sources into ccdma.elf, and its quick smoke test.
include(${CCDMA_ROOT}/bench/firmware/bench.cmake OPTIONAL)
