# The installable runtime core for a unikernel that embeds ccdma
# (docs/porting.md): one static archive, the public headers, a CMake
# package (find_package(ccdma CONFIG) -> ccdma::ccdma) and ccdma.pc.
#   cmake --install build/aarch64-qemu --prefix P [--component ccdma]
# Apart from it, component "selftests": the conformance self-tests
# (ccdma::selftests, libccdma_conformance.a, ccdma/selftest.h).
# Included by the AArch64 firmware build only: the archive holds the same
# objects the firmware links, built with the same toolchain and flags.
include_guard(GLOBAL)
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# One archive from the objects the firmware already compiles, so nothing is
# built twice and the firmware's own targets stay as they are. It holds the
# DMA layers, the virtio drivers (not the PL011 console: that is the
# firmware's) and the RSI client, and nothing the embedder must provide: no
# ccdma_plat_* and no ccdma_smccc_call (the CI test checks this with nm).
add_library(ccdma STATIC
  $<TARGET_OBJECTS:ccdma_dma>
  $<TARGET_OBJECTS:ccdma_drivers>
  $<TARGET_OBJECTS:ccdma_rsi>)
set_target_properties(ccdma PROPERTIES LINKER_LANGUAGE C)
target_include_directories(ccdma INTERFACE
  $<BUILD_INTERFACE:${CCDMA_INCLUDE}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_compile_features(ccdma INTERFACE c_std_11)

install(TARGETS ccdma EXPORT ccdmaTargets COMPONENT ccdma
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})

# Public headers. selftest.h stays out: it declares the self-test runner
# (tests/boot/selftest.c), which is not in the archive but in the
# selftests component below.
file(GLOB ccdma_public_headers ${CCDMA_INCLUDE}/ccdma/*.h)
list(REMOVE_ITEM ccdma_public_headers ${CCDMA_INCLUDE}/ccdma/selftest.h)
install(FILES ${ccdma_public_headers} COMPONENT ccdma
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ccdma)
# The RSI client is public API: a realm port needs it to implement
# ccdma_plat_mem_share/unshare and to find the shared bit. rsi.h includes
# rsi_abi.h by a relative name, so the three stay side by side.
install(FILES
  ${CCDMA_ROOT}/arch/arm64/rsi.h
  ${CCDMA_ROOT}/arch/arm64/rsi_abi.h
  ${CCDMA_ROOT}/arch/arm64/smccc.h
  COMPONENT ccdma DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ccdma/arm64)

set(ccdma_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/ccdma)
install(EXPORT ccdmaTargets NAMESPACE ccdma:: COMPONENT ccdma
  DESTINATION ${ccdma_cmake_dir})
configure_package_config_file(${CCDMA_ROOT}/cmake/ccdmaConfig.cmake.in
  ${CMAKE_BINARY_DIR}/package/ccdmaConfig.cmake
  INSTALL_DESTINATION ${ccdma_cmake_dir})
# 0.x: a minor release may change the seam, so only the same minor matches.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/package/ccdmaConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_BINARY_DIR}/package/ccdmaConfig.cmake
  ${CMAKE_BINARY_DIR}/package/ccdmaConfigVersion.cmake
  COMPONENT ccdma DESTINATION ${ccdma_cmake_dir})

# prefix is found from the .pc file's own place, so the tree relocates.
file(RELATIVE_PATH ccdma_pc_up /p/${CMAKE_INSTALL_LIBDIR}/pkgconfig /p)
string(REGEX REPLACE "/$" "" ccdma_pc_up "${ccdma_pc_up}")
configure_file(${CCDMA_ROOT}/cmake/ccdma.pc.in ${CMAKE_BINARY_DIR}/package/ccdma.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/package/ccdma.pc COMPONENT ccdma
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The conformance self-tests: the runner and the seam's conformance test
# (tests/boot/selftest.c, selftest_seam.c), which need only the public API.
# An embedder links the archive whole, keeps the .ccdma_selftest.* sections
# between __selftests_start and __selftests_end, and calls selftests_run().
set_target_properties(ccdma_conformance PROPERTIES EXPORT_NAME selftests)
target_include_directories(ccdma_conformance INTERFACE
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(ccdma_conformance INTERFACE $<INSTALL_INTERFACE:ccdma::ccdma>)
install(TARGETS ccdma_conformance EXPORT ccdmaSelftestsTargets COMPONENT selftests
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${CCDMA_INCLUDE}/ccdma/selftest.h COMPONENT selftests
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ccdma)
install(EXPORT ccdmaSelftestsTargets NAMESPACE ccdma:: COMPONENT selftests
  DESTINATION ${ccdma_cmake_dir})

# libccdma.a holds no self-test and no test-environment code (nm); the same
# check run on the self-test archives must find theirs, or it proves nothing.
add_test(NAME libccdma-no-selftests
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_selftest_symbols.py
    ${CMAKE_NM} $<TARGET_FILE:ccdma> --expect none)
add_test(NAME libccdma-no-selftests-finds-them
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_selftest_symbols.py
    ${CMAKE_NM} $<TARGET_FILE:ccdma_selftests> --expect some)
add_test(NAME libccdma-no-selftests-finds-conformance
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/toolchain/check_selftest_symbols.py
    ${CMAKE_NM} $<TARGET_FILE:ccdma_conformance> --expect some)
set_tests_properties(libccdma-no-selftests libccdma-no-selftests-finds-them
  libccdma-no-selftests-finds-conformance PROPERTIES LABELS "image")
