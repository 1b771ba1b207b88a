# Arm FVP Base RevC: DRAM0 at 0x8000_0000, UART0 at 0x1C09_0000. The model
# resets into EL3 at RVBAR; a DTB loaded at the base of DRAM is used, else
# the built-in description. Without TF-A nobody programs CNTFRQ, so EL3 entry
# sets it to the model's 100 MHz.
set(CCDMA_RAM_BASE 0x80000000)
set(CCDMA_LOAD_BASE 0x80200000)
set(CCDMA_BUILTIN_DTS ${CCDMA_ROOT}/boot/platforms/fvp-base-revc.dts)
set(CCDMA_CNTFRQ_HZ 100000000)
