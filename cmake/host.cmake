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

if(EXISTS ${CCDMA_ROOT}/bench/CMakeLists.txt)
  add_subdirectory(bench)
endif()
