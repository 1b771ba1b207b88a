# The same ccdma.bin under kvmtool (tests/kvmtool/kvmtool_boot.py): a Linux
# KVM host under QEMU TCG runs `lkvm run` with each virtio transport. kvmtool
# and the host kernel come from toolchain/deps.sh on first use; where they
# cannot be had, each test reports itself skipped with the reason.
set(kvmtool_boot ${CCDMA_ROOT}/tests/kvmtool/kvmtool_boot.py)
foreach(transport mmio pci)
  add_test(NAME kvmtool-${transport}
    COMMAND ${Python3_EXECUTABLE} ${kvmtool_boot} --image ${CMAKE_BINARY_DIR}/ccdma.bin
      --transport ${transport} --log ${CMAKE_BINARY_DIR}/kvmtool-${transport}.log)
  set_tests_properties(kvmtool-${transport} PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77
    LABELS "qemu;kvmtool")
endforeach()
