# Flags for the libFuzzer build (preset fuzz, CCDMA_FUZZ=ON), included by
# cmake/host.cmake before any library is defined, so the runtime code under
# test carries coverage instrumentation too. The sanitizers (ASan+UBSan,
# no recovery) come from the host build.
include_guard(GLOBAL)

if(NOT CMAKE_C_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR
    "CCDMA_FUZZ needs clang for libFuzzer, not ${CMAKE_C_COMPILER_ID}: "
    "configure with `cmake --preset fuzz` (clang-14).")
endif()

# libFuzzer is not part of the clang package on Debian 12: it ships in
# compiler-rt (libclang_rt.fuzzer-x86_64.a), package libclang-rt-14-dev.
include(CheckCSourceCompiles)
set(CMAKE_REQUIRED_FLAGS -fsanitize=fuzzer)
set(CMAKE_REQUIRED_LINK_OPTIONS -fsanitize=fuzzer)
check_c_source_compiles([[
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d && n ? 0 : 0; }
]] CCDMA_HAVE_LIBFUZZER)
unset(CMAKE_REQUIRED_FLAGS)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
if(NOT CCDMA_HAVE_LIBFUZZER)
  unset(CCDMA_HAVE_LIBFUZZER CACHE) # check again on the next configure
  message(FATAL_ERROR
    "${CMAKE_C_COMPILER} cannot link -fsanitize=fuzzer: libFuzzer is missing. "
    "On Debian 12 install it with: apt-get install libclang-rt-14-dev")
endif()

# The host's libfdt (Debian libfdt-dev, amd64) for the device-tree target.
find_path(CCDMA_HOST_LIBFDT_INCLUDE libfdt.h)
find_library(CCDMA_HOST_LIBFDT NAMES libfdt.a fdt)
if(NOT CCDMA_HOST_LIBFDT_INCLUDE OR NOT CCDMA_HOST_LIBFDT)
  message(FATAL_ERROR "libfdt not found: apt-get install libfdt-dev")
endif()

add_compile_options(-fsanitize=fuzzer-no-link)
