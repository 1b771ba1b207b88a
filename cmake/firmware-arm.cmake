# AArch32 firmware build (preset arm-qemu): the image for qemu-system-arm
# -M virt -cpu cortex-a15, its -bios flash variant, and its QEMU boot tests.
# The boot code and the portable self-tests are the AArch64 ones; arch/arm
# supplies the architecture (docs/aarch32.md).
set(CCDMA_PLATFORM qemu-virt CACHE STRING "Platform (AArch32: qemu-virt only)")
include(${CCDMA_ROOT}/cmake/platform-${CCDMA_PLATFORM}.cmake)
set(CCDMA_PGTABLE_PAGES 64 CACHE STRING "Stage-1 page-table pool, in pages")
set(CCDMA_HEAP_SIZE 0x100000 CACHE STRING "newlib malloc heap (_sbrk limit), in bytes")

include(${CCDMA_ROOT}/cmake/firmware-common.cmake)
find_program(QEMU_ARM qemu-system-arm REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)

# libfdt: Debian's armhf libfdt-dev. It is hard-float (VFP register
# arguments), which is why the whole image is; check that, and that its API
# has no enum types (it is built with 4-byte enums, newlib with short ones:
# see the link option below).
ccdma_debian_libfdt(armhf arm-linux-gnueabihf)
execute_process(COMMAND ${CMAKE_READELF} -A ${CCDMA_LIBFDT_A}
  OUTPUT_VARIABLE fdt_attrs RESULT_VARIABLE readelf_rc)
if(NOT readelf_rc EQUAL 0 OR NOT fdt_attrs MATCHES "Tag_ABI_VFP_args: VFP registers")
  message(FATAL_ERROR "libfdt.a (armhf) is not hard-float: the float ABI choice in "
    "toolchain/arm-none-eabi-newlib.cmake no longer matches it")
endif()
file(GLOB fdt_headers ${CCDMA_LIBFDT_DIR}/root/usr/include/*.h)
foreach(h ${fdt_headers})
  file(STRINGS ${h} enum_lines REGEX "(^|[^_a-zA-Z])enum[ \t]")
  if(enum_lines)
    message(FATAL_ERROR "${h} declares enums: libfdt (4-byte enums) and newlib "
      "(short enums) would disagree on their size")
  endif()
endforeach()

add_compile_options(-Wall -Wextra -Werror -O2 -g)
include_directories(${CCDMA_ROOT} ${CCDMA_INCLUDE})

foreach(area dma drivers)
  if(EXISTS ${CCDMA_ROOT}/${area}/CMakeLists.txt)
    add_subdirectory(${area})
  endif()
endforeach()

# Self-tests: the portable ones of tests/boot (a file that includes an
# arch/arm64 header tests AArch64: its MMU, exceptions, realm; rsi_abi.h is
# only the RSI ABI's numbers and does not count), plus the AArch32 ones of
# tests/boot/arm (including test_env.h's AArch32 side).
function(ccdma_portable_sources out)
  set(kept "")
  foreach(f ${ARGN})
    file(STRINGS ${f} arm64_includes REGEX "^#include \"arch/arm64/")
    list(FILTER arm64_includes EXCLUDE REGEX "arch/arm64/rsi_abi.h")
    if(arm64_includes)
      list(APPEND skipped ${f})
    else()
      list(APPEND kept ${f})
    endif()
  endforeach()
  foreach(f ${skipped})
    file(RELATIVE_PATH rel ${CCDMA_ROOT} ${f})
    message(STATUS "AArch32: not built (AArch64-only): ${rel}")
  endforeach()
  set(${out} ${kept} PARENT_SCOPE)
endfunction()

# Boot code: all of boot/, the same as AArch64's.
file(GLOB boot_sources CONFIGURE_DEPENDS ${CCDMA_ROOT}/boot/*.c)
file(GLOB arch_sources CONFIGURE_DEPENDS ${CCDMA_ROOT}/arch/arm/*.c ${CCDMA_ROOT}/arch/arm/*.S)
list(REMOVE_ITEM arch_sources ${CCDMA_ROOT}/arch/arm/bios_stub.S)
file(GLOB selftest_c CONFIGURE_DEPENDS ${CCDMA_ROOT}/tests/boot/*.c)
ccdma_portable_sources(selftest_sources ${selftest_c})
file(GLOB arm_selftests CONFIGURE_DEPENDS ${CCDMA_ROOT}/tests/boot/arm/*.c)

add_executable(ccdma.elf ${boot_sources} ${arch_sources} ${CCDMA_ROOT}/drivers/pl011/pl011.c ${CCDMA_ROOT}/drivers/ns16550/ns16550.c
  ${CCDMA_ROOT}/arch/gicv2.c ${CCDMA_ROOT}/arch/pgtable.c)
target_compile_definitions(ccdma.elf PRIVATE
  CCDMA_DTB_FALLBACK=${CCDMA_RAM_BASE})
ccdma_selftest_libraries(ccdma.elf ${selftest_sources} ${arm_selftests})
# Runs with the MMU off: no memset/memcpy calls the compiler invents.
set_source_files_properties(${CCDMA_ROOT}/arch/arm/mmu.c ${CCDMA_ROOT}/boot/main.c
  ${CCDMA_ROOT}/arch/pgtable.c
  PROPERTIES COMPILE_OPTIONS "-fno-tree-loop-distribute-patterns")

ccdma_link_runtime(ccdma.elf ccdma_drivers ccdma_dma)
# --no-enum-size-warning: libfdt.a says "4-byte enums", newlib "short enums";
# harmless because libfdt's API has no enum types (checked above).
# --wrap: the printf family goes through arch/arm/printf_c99.c, which gives
# Debian's newlib the C99 length modifiers (%zu...) it was built without.
set(printf_wrap "")
foreach(fn printf vprintf fprintf vfprintf snprintf vsnprintf sprintf vsprintf)
  string(APPEND printf_wrap ",--wrap=${fn}")
endforeach()
target_link_options(ccdma.elf PRIVATE
  -Wl${printf_wrap}
  -T ${CCDMA_ROOT}/linker/ccdma-arm.ld
  -Wl,--defsym=CCDMA_LOAD_BASE=${CCDMA_LOAD_BASE}
  -Wl,--defsym=CCDMA_PGTABLE_PAGES=${CCDMA_PGTABLE_PAGES}
  -Wl,--defsym=CCDMA_HEAP_SIZE=${CCDMA_HEAP_SIZE}
  -Wl,--no-enum-size-warning
  -Wl,-Map=${CMAKE_BINARY_DIR}/ccdma.map)
set_target_properties(ccdma.elf PROPERTIES LINK_DEPENDS ${CCDMA_ROOT}/linker/ccdma-arm.ld)

# ccdma.bin (the loaded bytes, which the -bios stub copies) and ccdma-bios.bin.
ccdma_flash_images(${CCDMA_ROOT}/arch/arm/bios_stub.S ${CCDMA_ROOT}/linker/bios-stub-arm.ld)

include(${CCDMA_ROOT}/tests/qemu/boot_tests_arm.cmake)
