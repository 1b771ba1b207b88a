# Host build: the runtime core (dma/, drivers/, the RSI client) compiled
# for Linux with the host platform port and its in-process realm model,
# plus tests.
include_directories(${CCDMA_INCLUDE})

# The libFuzzer build (preset fuzz): the same libraries with coverage
# instrumentation, and the fuzz targets instead of the host tests.
option(CCDMA_FUZZ "Build the libFuzzer targets of tests/fuzz (clang)" OFF)
if(CCDMA_FUZZ)
  include(${CCDMA_ROOT}/tests/fuzz/fuzz_flags.cmake)
endif()

# The portable piece of arch/arm64 (the RSI client, ccdma_rsi), shared
# with the firmware build.
include(${CCDMA_ROOT}/arch/arm64/portable.cmake OPTIONAL)

foreach(area dma arch/host drivers)
  if(EXISTS ${CCDMA_ROOT}/${area}/CMakeLists.txt)
    add_subdirectory(${area})
  endif()
endforeach()

if(CCDMA_FUZZ)
  add_subdirectory(tests/fuzz)
  return()
endif()

ccdma_add_subdirs(${CCDMA_ROOT}/tests/host)

# The include graph's one-way rules (toolchain/check_includes.py) over this
# tree; its own self-test; and a planted tree with forbidden includes, which
# it must reject.
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME include-graph
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_includes.py ${CCDMA_ROOT})
add_test(NAME include-graph-self-test
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_includes.py --self-test)
add_test(NAME include-graph-planted
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_includes.py
    --plant ${CMAKE_BINARY_DIR}/include-graph-planted)
set_tests_properties(include-graph-planted PROPERTIES WILL_FAIL TRUE)

if(EXISTS ${CCDMA_ROOT}/bench/CMakeLists.txt)
  add_subdirectory(bench)
endif()
