# Mbed TLS's SHA-256 and SHA-512 for the firmware, from the pinned sources
# toolchain/deps.sh brings into the cache (CCDMA_MBEDTLS_SRC). Defines the
# library ccdma_hash and CCDMA_HAVE_HASH; without the sources it defines
# neither, and what needs a hash says so at run time (docs/security.md).
include_guard(GLOBAL)

set(CCDMA_MBEDTLS_SRC "" CACHE PATH "Mbed TLS sources (toolchain/deps.sh mbedtls)")
if(CCDMA_MBEDTLS_SRC AND EXISTS ${CCDMA_MBEDTLS_SRC}/library/sha256.c)
  add_library(ccdma_hash STATIC
    ${CCDMA_MBEDTLS_SRC}/library/sha256.c
    ${CCDMA_MBEDTLS_SRC}/library/sha512.c
    ${CCDMA_MBEDTLS_SRC}/library/platform_util.c)
  target_include_directories(ccdma_hash SYSTEM PUBLIC ${CCDMA_MBEDTLS_SRC}/include)
  target_include_directories(ccdma_hash PRIVATE ${CCDMA_MBEDTLS_SRC}/library)
  target_compile_definitions(ccdma_hash PUBLIC
    "MBEDTLS_CONFIG_FILE=\"${CCDMA_ROOT}/toolchain/mbedtls_hash_config.h\"" CCDMA_HAVE_HASH=1)
  # Third-party code: its warnings are not ours to make errors of.
  target_compile_options(ccdma_hash PRIVATE -w)
  set(CCDMA_HAVE_HASH ON)
else()
  set(CCDMA_HAVE_HASH OFF)
endif()
