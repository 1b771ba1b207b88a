/* SPDX-License-Identifier: MIT */
/*
 * Thread-local storage for picolibc (it keeps errno there): the .tdata
 * template copied into a block in .bss, .tbss zeroed after it, and
 * TPIDR_EL0 set TLS_TCB_SIZE bytes below the block, as AArch64's TLS
 * layout puts the thread pointer before a 16-byte control block.
 *
 * Done here rather than with picolibc's _init_tls and _set_tls: those read
 * the sizes from absolute linker symbols through their GOT, and the image
 * relocates itself (boot/head.S), which would shift every such entry. Here
 * each size is the difference of two addresses, which relocation keeps.
 */
#include "arch/arm64/tls.h"

#include <stdint.h>
#include <string.h>

#define TLS_TCB_SIZE 16

extern char __tdata_start[], __tdata_end[], __tbss_start[], __tbss_end[], __tls_block[];

void arm64_tls_init_block(void *block)
{
    char *b = block;

    memcpy(b, __tdata_start, (size_t)(__tdata_end - __tdata_start));
    memset(b + (__tbss_start - __tdata_start), 0, (size_t)(__tbss_end - __tbss_start));
    __asm__ volatile("msr tpidr_el0, %0" ::"r"((uintptr_t)b - TLS_TCB_SIZE));
}

void arm64_tls_init(void) { arm64_tls_init_block(__tls_block); }
