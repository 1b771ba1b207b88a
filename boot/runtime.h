/* SPDX-License-Identifier: MIT */
/* Runtime state discovered at boot, and the ways the run ends. */
#ifndef CCDMA_BOOT_RUNTIME_H
#define CCDMA_BOOT_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

#include "arch/hooks.h"
#include "boot/dt_platform.h"

enum psci_conduit { PSCI_NONE = 0, PSCI_HVC, PSCI_SMC };

struct runtime {
    unsigned int entry_el;     /* EL at which the image was entered */
    unsigned int run_el;       /* EL the runtime runs at (1) */
    uintptr_t dtb;             /* DTB address actually used */
    const char *dtb_source;    /* "x0"/"r2" (the loader's register) or "ram-base" */
    bool semihosting;          /* semihosting answered a probe */
    bool realm;                /* RSI answered: memory is private by default */
    uint64_t shared_bit;       /* unprotected IPA bit (0 when plain) */
    unsigned int entropy_words;     /* trusted random words in the stack guard */
    unsigned int mmio_over_runtime; /* device windows refused: over the image or DTB */
    unsigned int mmio_over_ram;     /* ... in a realm: over protected RAM (RIPAS) */
    unsigned int ipa_width;
    unsigned int rsi_major, rsi_minor;
    unsigned int hash_algo;    /* the realm's (REALM_CONFIG), RSI_HASH_* */
    struct dt_platform plat;   /* everything the DTB told us, validated */
};

extern struct runtime rt;

/* runtime_exit(code) (arch/hooks.h) ends the run: semihosting
 * SYS_EXIT_EXTENDED when available (the exit code reaches the harness),
 * else PSCI SYSTEM_OFF, else halt. */

/* Report why, then runtime_exit(1). Safe to call from exception handlers. */
noreturn void runtime_fail_stop(const char *why);

/* Console: printf goes through the C library's stdio to the UART that
 * stdout-path names, once it is mapped; until then output is kept in a
 * small buffer and flushed on attach. console_putc is the one character
 * sink both libraries use. */
struct dt_uart;
void console_attach(const struct dt_uart *uart);
bool console_attached(void);

#endif /* CCDMA_BOOT_RUNTIME_H */
