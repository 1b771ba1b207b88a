# Host build: the runtime core (dma/, drivers/, the RSI client and realm
# model) compiled for Linux with the host platform port, plus tests.
include_directories(${CCDMA_INCLUDE})

# Portable pieces of arch/arm64 (RSI client, RIPAS/RMM model): libraries
# ccdma_rsi and ccdma_realm_model, shared with the firmware build.
include(${CCDMA_ROOT}/arch/arm64/portable.cmake OPTIONAL)

foreach(area dma arch/host drivers)
  if(EXISTS ${CCDMA_ROOT}/${area}/CMakeLists.txt)
    add_subdirectory(${area})
  endif()
endforeach()

ccdma_add_subdirs(${CCDMA_ROOT}/tests/host)

if(EXISTS ${CCDMA_ROOT}/bench/CMakeLists.txt)
  add_subdirectory(bench)
endif()
