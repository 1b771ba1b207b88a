/* SPDX-License-Identifier: MIT */
/*
 * The realm payload: the EL1 Image ccdma.bin, byte for byte. linker/monitor.ld
 * places .realm_payload at the PA of the realm's entry IPA, so QEMU loads it
 * there (p_paddr) together with the monitor.
 */
    .section .realm_payload, "a"
    .incbin CCDMA_REALM_PAYLOAD_FILE
