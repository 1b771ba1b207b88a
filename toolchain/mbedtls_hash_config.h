/* SPDX-License-Identifier: MIT */
/*
 * The Mbed TLS configuration the firmware builds (MBEDTLS_CONFIG_FILE):
 * SHA-256 and SHA-512 and nothing else, the hashes of a realm's
 * measurements (DEN0137: RIM and REM use the realm's hash algorithm).
 * Pure C, no platform layer, no ARMv8 crypto instructions: the firmware
 * is built without FP/SIMD registers.
 */
#ifndef CCDMA_MBEDTLS_HASH_CONFIG_H
#define CCDMA_MBEDTLS_HASH_CONFIG_H

#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_SHA384_C

#endif
