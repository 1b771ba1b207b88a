/* SPDX-License-Identifier: MIT */
/* The platform's built-in device tree, for boots where none is given. Only
 * platforms that set CCDMA_BUILTIN_DTB_PATH assemble anything here. */
#ifdef CCDMA_BUILTIN_DTB_PATH
    .section .rodata.builtin_dtb, "a"
    .balign 8
    .global builtin_dtb
builtin_dtb:
    .incbin CCDMA_BUILTIN_DTB_PATH
    .global builtin_dtb_end
builtin_dtb_end:
#endif
