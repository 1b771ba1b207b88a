/* SPDX-License-Identifier: MIT */
#ifndef CCDMA_ARM64_TLS_H
#define CCDMA_ARM64_TLS_H

/* The boot CPU's TLS block (arch/arm64/tls.c), before any libc call. */
void arm64_tls_init(void);

#endif /* CCDMA_ARM64_TLS_H */
