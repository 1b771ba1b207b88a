# The portable piece of arch/arm64, built the same way for the host tests
# and for the firmware: the RSI client (ccdma_rsi). No flags here: each
# build adds its own (sanitizers on the host, -mgeneral-regs-only in the
# firmware).
include_guard(GLOBAL)

add_library(ccdma_rsi STATIC ${CCDMA_ROOT}/arch/arm64/rsi.c)
target_include_directories(ccdma_rsi PUBLIC
  ${CCDMA_INCLUDE}
  ${CCDMA_ROOT}/arch/arm64)
