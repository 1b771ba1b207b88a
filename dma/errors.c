/* SPDX-License-Identifier: MIT */
/* Names of the CCDMA_E* codes, for reports and test output. */
#include <ccdma/errors.h>

#include <stddef.h>

static const char *const error_names[] = {
    [0] = "success",
    [-CCDMA_EINVAL] = "invalid argument",
    [-CCDMA_ENOMEM] = "out of memory",
    [-CCDMA_ENOSPC] = "pool full",
    [-CCDMA_ERANGE] = "address out of the device's reach",
    [-CCDMA_ESTATE] = "shared/private state mismatch",
    [-CCDMA_EREJECT] = "conversion rejected by the host",
    [-CCDMA_ERSI] = "RSI error",
    [-CCDMA_EFAULT] = "unknown or foreign address",
    [-CCDMA_EBUSY] = "resource busy",
    [-CCDMA_ENODEV] = "no such device or feature",
    [-CCDMA_ETIMEDOUT] = "timed out",
    [-CCDMA_EBROKEN] = "device broken",
    [-CCDMA_EIO] = "I/O error",
    [-CCDMA_ENOTSUP] = "not supported",
    [-CCDMA_EPROTO] = "protocol error",
    [-CCDMA_EROFS] = "read-only device",
};

const char *ccdma_strerror(int err)
{
    size_t idx;

    if (err > 0)
        return "unknown error";
    idx = (size_t)(-(long)err);
    if (idx >= sizeof(error_names) / sizeof(error_names[0]) || !error_names[idx])
        return "unknown error";
    return error_names[idx];
}
