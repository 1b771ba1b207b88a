/* SPDX-License-Identifier: MIT */
/*
 * Error codes shared by every ccdma layer. Functions return 0 or a negative
 * CCDMA_E* value; ccdma_strerror() names it for reports.
 */
#ifndef CCDMA_ERRORS_H
#define CCDMA_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

enum ccdma_error {
    CCDMA_OK = 0,
    CCDMA_EINVAL = -1,     /* bad argument (null, zero size, bad direction, bad attrs) */
    CCDMA_ENOMEM = -2,     /* page allocator or metadata exhausted */
    CCDMA_ENOSPC = -3,     /* a bounce or atomic pool is full */
    CCDMA_ERANGE = -4,     /* address not reachable by the device (mask, bus limit) */
    CCDMA_ESTATE = -5,     /* shared/private state mismatch (pool, device, page) */
    CCDMA_EREJECT = -6,    /* the host rejected a memory conversion */
    CCDMA_ERSI = -7,       /* the RMM/monitor returned an error status */
    CCDMA_EFAULT = -8,     /* unknown or foreign address (not mapped by us) */
    CCDMA_EBUSY = -9,      /* resource still in use (double map, live mappings) */
    CCDMA_ENODEV = -10,    /* no such device, or device refused a required feature */
    CCDMA_ETIMEDOUT = -11, /* a bounded wait ran out of budget */
    CCDMA_EBROKEN = -12,   /* the device broke the protocol and is fenced off */
    CCDMA_EIO = -13,       /* the device reported an I/O error */
    CCDMA_ENOTSUP = -14,   /* not supported in this configuration */
    CCDMA_EPROTO = -15,    /* malformed input from the host (DTB, config space) */
    CCDMA_EROFS = -16,     /* a write to a read-only device (VIRTIO_BLK_F_RO) */
};

const char *ccdma_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* CCDMA_ERRORS_H */
