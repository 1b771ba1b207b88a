/* SPDX-License-Identifier: MIT */
/*
 * What boot self-tests share: the boot options that change expected
 * outcomes, RIPAS and SMC counts as the realm sees them, and a "device view"
 * that reads memory the way a device given a DMA address would.
 */
#ifndef CCDMA_TESTS_BOOT_TEST_ENV_H
#define CCDMA_TESTS_BOOT_TEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ccdma/platform.h>

/* ccdma.inject=... from the bootargs (docs/realm.md). */
enum inject { INJ_NONE, INJ_REJECT, INJ_REJECT_EMPTY, INJ_ONE_GRANULE, INJ_RSI_ERROR };
enum inject test_inject_mode(void);
/* True when the host makes partial progress (one granule per call). */
bool test_partial_progress(void);
/* True when sharing memory (RIPAS EMPTY) is made to fail in this boot. */
bool test_sharing_fails(void);
/* The clean error a conversion gets from this boot's injected host when the
 * injection applies (to_shared: a share, else an unshare); 0 when none may.
 * With ccdma.fail_after=N the injection starts after N good calls, so a
 * conversion may also still succeed. */
int test_injected_error(bool to_shared);
/* Judge a conversion's outcome: true when it succeeded. Otherwise reports
 * one check that the error is this boot's injected one, and returns false. */
bool test_conversion(int err, bool to_shared, const char *what);

struct ccdma_device;
/* Shared coherent memory for dev: a converting allocation first; if this
 * boot's host refuses the conversion (checked as a clean error), the
 * pre-shared atomic pool, which converts nothing at call time. */
int test_alloc_shared(struct ccdma_device *dev, size_t size, void **cpu, ccdma_dma_t *handle);
/*
 * What this boot's host advertises in /chosen where a host may choose
 * (docs/realm.md): the byte it fills a newly shared page with (false when
 * it does not say), and whether an access to an unprotected IPA that is
 * neither shared nor a device gets an external abort. A self-test checks
 * the architectural rule always and the policy only where advertised.
 */
bool test_host_share_fill(uint8_t *fill);
bool test_host_alias_abort(void);

/* RSI_IPA_STATE_SET calls made so far through the conduit. */
uint64_t test_rsi_state_set_calls(void);
/* RIPAS of the granule at pa (RSI_IPA_STATE_GET), or -1. */
int test_ripas(uint64_t pa);

/*
 * Map the page(s) a device given DMA address addr would reach, at a spare
 * virtual address, and return a pointer to addr's byte there. In a realm the
 * output is the encoded address itself: a shared encoding reaches the
 * unprotected alias, a private one the protected IPA. Returns NULL if the
 * mapping cannot be made. test_device_view_end() removes it.
 */
volatile uint8_t *test_device_view(ccdma_dma_t addr, size_t len);
void test_device_view_end(void);

/* What a disk is to the self-tests (tests/boot/disk_pattern.h). */
struct test_disk {
    bool ours;        /* the harness's signature is there and the layout fits */
    bool writable;    /* ours and not read-only: the listed regions may be written */
    uint32_t salt;    /* from the signature: the disk's write pattern */
    const char *why;  /* when not writable, why not */
};
struct ccdma_blk;
/* Read the signature sector and decide. Nothing is ever written. */
void test_disk_identify(struct ccdma_blk *blk, struct test_disk *d);

#endif
