/* SPDX-License-Identifier: MIT */
/* The realm's Image (ccdma.bin, the EL1 runtime), byte for byte, in its own
 * page-aligned section: the host loads it into the realm with DATA_CREATE. */
    .section .realm_image, "a"
    .balign 4096
    .incbin CCDMA_REALM_IMAGE_FILE
