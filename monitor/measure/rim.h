/* SPDX-License-Identifier: MIT */
/*
 * A realm's measurements as DEN0137 defines them and TF-RMM computes them
 * (rim.c): the RIM and four REMs, 64 bytes each, in the realm's hash
 * algorithm. The emulated RMM keeps one per realm; the host keeps its own
 * prediction of the RIM.
 */
#ifndef CCDMA_MONITOR_RIM_H
#define CCDMA_MONITOR_RIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmi_abi.h"

#define RIM_MEASUREMENT_SLOTS 5 /* RIM, REM[0..3] */
#define RIM_MEASUREMENT_MAX 64
#define GRANULE_BYTES 0x1000u

struct rim {
    uint8_t hash_algo; /* RMI_HASH_* */
    uint8_t meas[RIM_MEASUREMENT_SLOTS][RIM_MEASUREMENT_MAX];
};

/* False when this build has no hash library (nothing is measured). */
bool rim_available(void);
/* Bytes of a measurement in r's algorithm: 32 or 64. */
unsigned int rim_size(const struct rim *r);
/* REALM_CREATE: the RIM's first value, from the measured parameters. */
void rim_realm_params(struct rim *r, const struct rmi_realm_params *p);
/* One RTT entry INIT_RIPAS set to RAM, [base, top). */
void rim_init_ripas(struct rim *r, uint64_t base, uint64_t top);
/* One DATA_CREATE granule; its contents count with RMI_MEASURE_CONTENT. */
void rim_data(struct rim *r, const void *data, uint64_t ipa, uint64_t flags);
/* One runnable REC's parameters. */
void rim_rec_params(struct rim *r, const struct rmi_rec_params *p);
/* MEASUREMENT_EXTEND of REM slot (1..4) with size <= 64 bytes. */
void rim_extend(struct rim *r, unsigned int slot, const void *value, size_t size);

#endif
