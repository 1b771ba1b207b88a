# Checks for images we build but cannot run here (FVP is not installed):
# entry point, load addresses, Image header and the built-in DTB.
add_test(NAME image-${CCDMA_PLATFORM}
  COMMAND ${Python3_EXECUTABLE} ${CCDMA_ROOT}/tests/image/check_image.py
    --readelf ${CMAKE_READELF} --elf $<TARGET_FILE:ccdma.elf>
    --bin ${CMAKE_BINARY_DIR}/ccdma.bin
    --load-base ${CCDMA_LOAD_BASE} --ram-base ${CCDMA_RAM_BASE}
    --dtb ${CMAKE_BINARY_DIR}/builtin.dtb
    --dtb-expect uart@1c090000 --dtb-expect virtio_block@1c130000)
set_tests_properties(image-${CCDMA_PLATFORM} PROPERTIES LABELS image)
