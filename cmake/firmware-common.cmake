# Build steps every firmware image shares (cmake/firmware-arm.cmake uses
# them; cmake/firmware.cmake spells the same steps out for AArch64).
include_guard(GLOBAL)

# ccdma_debian_libfdt(DEBARCH MULTIARCH): Debian's libfdt-dev for DEBARCH,
# fetched into the build tree (toolchain/fetch-deb.sh), as the imported
# library ccdma_fdt. Sets CCDMA_LIBFDT_DIR and CCDMA_LIBFDT_A.
function(ccdma_debian_libfdt debarch multiarch)
  set(dir ${CMAKE_BINARY_DIR}/deps/libfdt-${debarch})
  set(lib ${dir}/root/usr/lib/${multiarch}/libfdt.a)
  if(NOT EXISTS ${lib})
    message(STATUS "Fetching Debian libfdt-dev:${debarch} into ${dir}")
    execute_process(
      COMMAND ${CCDMA_ROOT}/toolchain/fetch-deb.sh ${debarch} libfdt-dev ${dir}
      RESULT_VARIABLE fetch_rc)
    if(NOT fetch_rc EQUAL 0 OR NOT EXISTS ${lib})
      message(FATAL_ERROR "could not fetch libfdt-dev:${debarch} (see above)")
    endif()
  endif()
  add_library(ccdma_fdt STATIC IMPORTED GLOBAL)
  set_target_properties(ccdma_fdt PROPERTIES
    IMPORTED_LOCATION ${lib}
    INTERFACE_INCLUDE_DIRECTORIES ${dir}/root/usr/include)
  set(CCDMA_LIBFDT_DIR ${dir} PARENT_SCOPE)
  set(CCDMA_LIBFDT_A ${lib} PARENT_SCOPE)
endfunction()

# ccdma_link_runtime(TARGET [LIB...]): link TARGET with those of the runtime
# libraries that exist in this tree (dma/, drivers/...) and libfdt.
function(ccdma_link_runtime target)
  set(libs ccdma_fdt)
  foreach(lib ${ARGN})
    if(TARGET ${lib})
      list(PREPEND libs ${lib})
    endif()
  endforeach()
  if(NOT TARGET ccdma_dma)
    target_sources(${target} PRIVATE ${CCDMA_ROOT}/dma/errors.c)
  endif()
  target_link_libraries(${target} PRIVATE ${libs})
endfunction()

# ccdma_selftest_libraries(IMAGE SOURCE...): the self-tests of tests/boot as
# two archives apart from the runtime. ccdma_conformance holds the runner and
# the tests that need only the public API (tests/boot/selftest.c and
# selftest_seam.c; installed for embedders, cmake/install.cmake);
# ccdma_selftests holds the rest, which test this firmware's own boot and
# arch code. IMAGE links both whole: a test is reached only through its
# linker section, never by a symbol reference.
function(ccdma_selftest_libraries image)
  set(conformance ${CCDMA_ROOT}/tests/boot/selftest.c ${CCDMA_ROOT}/tests/boot/selftest_seam.c)
  set(rest ${ARGN})
  list(REMOVE_ITEM rest ${conformance})
  add_library(ccdma_conformance STATIC ${conformance})
  target_include_directories(ccdma_conformance PUBLIC
    $<BUILD_INTERFACE:${CCDMA_INCLUDE}>)
  add_library(ccdma_selftests STATIC ${rest})
  target_link_libraries(ccdma_selftests PRIVATE ccdma_fdt)
  target_link_libraries(${image} PRIVATE
    -Wl,--whole-archive ccdma_selftests ccdma_conformance -Wl,--no-whole-archive)
endfunction()

# ccdma_flash_images(STUB_SOURCE STUB_LINKER_SCRIPT): ccdma.bin (the loaded
# bytes of ccdma.elf), the -bios stub, and ccdma-bios.bin = the stub padded
# to 4 KiB followed by ccdma.bin; all built by the target "firmware".
function(ccdma_flash_images stub_source stub_ld)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ccdma.bin
    COMMAND ${CMAKE_OBJCOPY} -O binary $<TARGET_FILE:ccdma.elf> ${CMAKE_BINARY_DIR}/ccdma.bin
    DEPENDS ccdma.elf COMMENT "Image ccdma.bin")
  add_executable(bios_stub.elf ${stub_source})
  target_compile_definitions(bios_stub.elf PRIVATE CCDMA_RAM_BASE=${CCDMA_RAM_BASE})
  target_link_options(bios_stub.elf PRIVATE -nostdlib
    -T ${stub_ld} -Wl,--defsym=CCDMA_FLASH_BASE=0)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/ccdma-bios.bin
    COMMAND ${CMAKE_OBJCOPY} -O binary --pad-to=0x1000 $<TARGET_FILE:bios_stub.elf> stub.bin
    COMMAND cat stub.bin ccdma.bin > ccdma-bios.bin
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    DEPENDS bios_stub.elf ${CMAKE_BINARY_DIR}/ccdma.bin COMMENT "Flash image ccdma-bios.bin")
  add_custom_target(firmware ALL
    DEPENDS ${CMAKE_BINARY_DIR}/ccdma.bin ${CMAKE_BINARY_DIR}/ccdma-bios.bin)
endfunction()
