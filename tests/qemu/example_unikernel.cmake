# The example unikernel (examples/unikernel) as a consumer sees it: install
# this build's ccdma package into a fresh prefix, configure and build the
# example against that prefix with the same toolchain file, then boot it
# under QEMU with a virtio-blk disk of known content. The steps are in
# example_unikernel_test.cmake; the harness is boot_test.py.
set(ccdma_example_toolchain ${CMAKE_TOOLCHAIN_FILE})
if(NOT ccdma_example_toolchain)
  set(ccdma_example_toolchain ${CCDMA_ROOT}/toolchain/aarch64-picolibc.cmake)
endif()
foreach(variant "" "-conformance")
  set(conformance OFF)
  if(variant)
    set(conformance ON)
  endif()
  add_test(NAME example-unikernel${variant}
    COMMAND ${CMAKE_COMMAND}
      -DCCDMA_ROOT=${CCDMA_ROOT}
      -DBUILD_DIR=${CMAKE_BINARY_DIR}
      -DWORK_DIR=${CMAKE_BINARY_DIR}/example-unikernel${variant}
      -DTOOLCHAIN=${ccdma_example_toolchain}
      -DGENERATOR=${CMAKE_GENERATOR}
      -DNM=${CMAKE_NM}
      -DPYTHON=${Python3_EXECUTABLE}
      -DQEMU=${QEMU_AARCH64}
      -DCONFORMANCE=${conformance}
      -P ${CCDMA_ROOT}/tests/qemu/example_unikernel_test.cmake)
  set_tests_properties(example-unikernel${variant} PROPERTIES TIMEOUT 300 LABELS "qemu;example")
endforeach()
