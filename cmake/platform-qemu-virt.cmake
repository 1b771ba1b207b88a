# QEMU virt: RAM at 0x4000_0000; the loader or QEMU provides the DTB.
set(CCDMA_RAM_BASE 0x40000000)
set(CCDMA_LOAD_BASE 0x40200000)
set(CCDMA_BUILTIN_DTS "")
set(CCDMA_CNTFRQ_HZ "")          # QEMU programs CNTFRQ itself
