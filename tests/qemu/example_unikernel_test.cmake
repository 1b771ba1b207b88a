# Steps of the example-unikernel ctest (registered by example_unikernel.cmake).
# cmake -DCCDMA_ROOT=.. -DBUILD_DIR=.. -DWORK_DIR=.. -DTOOLCHAIN=.. -DGENERATOR=..
#       -DNM=.. -DPYTHON=.. -DQEMU=.. [-DCONFORMANCE=ON] -P example_unikernel_test.cmake
# CONFORMANCE: install the selftests component too, and build the example
# with ccdma's conformance self-tests linked in and run first.
cmake_minimum_required(VERSION 3.25)

function(fail)
  string(JOIN "" msg ${ARGN})
  message(FATAL_ERROR "example-unikernel: ${msg}")
endfunction()

function(step what)
  message(STATUS "example-unikernel: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    fail("${what} failed (${rc})")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(example_build ${WORK_DIR}/build)
# A fresh prefix and build each run: nothing from an earlier run can be found.
file(REMOVE_RECURSE ${WORK_DIR})

step("install the package into ${prefix}"
  ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component ccdma)
foreach(f lib/libccdma.a lib/cmake/ccdma/ccdmaConfig.cmake
          lib/cmake/ccdma/ccdmaConfigVersion.cmake lib/cmake/ccdma/ccdmaTargets.cmake
          lib/pkgconfig/ccdma.pc include/ccdma/platform.h include/ccdma/dma.h
          include/ccdma/virtio.h include/ccdma/blk.h include/ccdma/errors.h
          include/ccdma/arm64/rsi.h include/ccdma/arm64/rsi_abi.h include/ccdma/arm64/smccc.h)
  if(NOT EXISTS ${prefix}/${f})
    fail("not installed: ${f}")
  endif()
endforeach()
if(EXISTS ${prefix}/include/ccdma/selftest.h)
  fail("selftest.h installed with the library: it belongs to the selftests component")
endif()
set(example_opts -DEXAMPLE_CONFORMANCE=OFF)
set(conformance_expect "")
if(CONFORMANCE)
  step("install the selftests component into ${prefix}"
    ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} --component selftests)
  foreach(f lib/libccdma_conformance.a include/ccdma/selftest.h)
    if(NOT EXISTS ${prefix}/${f})
      fail("not installed: ${f}")
    endif()
  endforeach()
  set(example_opts -DEXAMPLE_CONFORMANCE=ON)
  set(conformance_expect --expect "^ok [0-9]+ - seam: both encodings decode"
    --expect "^ok [0-9]+ - seam: a shared granule holds what is written"
    --reject "test reported no checks")
endif()

# The archive must leave the seam to the embedder: no ccdma_plat_* and no
# ccdma_smccc_call defined in it, and the PL011 console is not in it.
execute_process(COMMAND ${NM} -g --defined-only ${prefix}/lib/libccdma.a
  OUTPUT_VARIABLE defined RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  fail("${NM} failed on libccdma.a")
endif()
string(REGEX MATCHALL " [A-Z] (ccdma_plat_[a-z0-9_]+|ccdma_smccc_call|pl011_[a-z0-9_]+)\n"
  forbidden "${defined}")
if(forbidden)
  fail("libccdma.a defines what the embedder must provide:${forbidden}")
endif()
foreach(sym ccdma_init ccdma_blk_read ccdma_virtio_mmio_identify rsi_detect)
  if(NOT defined MATCHES " T ${sym}\n")
    fail("libccdma.a lacks ${sym}")
  endif()
endforeach()

# pkg-config, when present: the flags must resolve into the prefix.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${prefix}/lib/pkgconfig
    ${PKG_CONFIG} --cflags --libs ccdma OUTPUT_VARIABLE pc_flags RESULT_VARIABLE rc
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT rc EQUAL 0 OR NOT pc_flags MATCHES "-I([^ ]+) -L([^ ]+) -lccdma")
    fail("pkg-config --cflags --libs ccdma: '${pc_flags}'")
  endif()
  if(NOT EXISTS ${CMAKE_MATCH_1}/ccdma/dma.h OR NOT EXISTS ${CMAKE_MATCH_2}/libccdma.a)
    fail("pkg-config flags do not point into the prefix: ${pc_flags}")
  endif()
  message(STATUS "example-unikernel: pkg-config: ${pc_flags}")
else()
  message(STATUS "example-unikernel: pkg-config not installed; ccdma.pc not checked")
endif()

step("configure examples/unikernel against the installed package"
  ${CMAKE_COMMAND} -S ${CCDMA_ROOT}/examples/unikernel -B ${example_build}
    -G ${GENERATOR} --toolchain ${TOOLCHAIN} -DCMAKE_BUILD_TYPE=RelWithDebInfo
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF ${example_opts}
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
# Built from the installed package, not the source tree: the package came
# from the prefix, and no compile line reaches into ccdma's own headers.
file(STRINGS ${example_build}/CMakeCache.txt found_dir REGEX "^ccdma_DIR:")
if(NOT found_dir STREQUAL "ccdma_DIR:PATH=${prefix}/lib/cmake/ccdma")
  fail("found the package elsewhere: ${found_dir}")
endif()
file(READ ${example_build}/compile_commands.json commands)
foreach(dir include arch)
  string(FIND "${commands}" "${CCDMA_ROOT}/${dir}" at)
  if(NOT at EQUAL -1)
    fail("a compile line uses the source tree's ${dir}/")
  endif()
endforeach()
step("build the example" ${CMAKE_COMMAND} --build ${example_build} --parallel 2)

step("boot it under QEMU with virtio-blk"
  ${PYTHON} ${CCDMA_ROOT}/tests/qemu/boot_test.py --qemu ${QEMU}
    --config plain --boot elf --image ${example_build}/unikernel.elf
    --virtio ${WORK_DIR}/disk.img --boot-line-prefix example
    --expect "^ok [0-9]+ - example: ccdma_blk_read: sectors 0-2047 .* match"
    --expect "^ok [0-9]+ - example: ccdma_blk_write \\+ flush" ${conformance_expect}
    --timeout 120 --log ${WORK_DIR}/boot.log)
