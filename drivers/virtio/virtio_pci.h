/* SPDX-License-Identifier: MIT */
/* Finding a virtio device behind a PCI function (virtio 1.2, 4.1). */
#ifndef CCDMA_DRIVERS_VIRTIO_PCI_H
#define CCDMA_DRIVERS_VIRTIO_PCI_H

#include <ccdma/virtio.h>

#include "drivers/pci/pci.h"

/*
 * Describe the virtio-pci function d, whose BARs pci_dev_enable placed:
 * its virtio device type, and its common, notify, ISR and device config
 * structures from the vendor capabilities, each checked to lie inside an
 * implemented memory BAR. CCDMA_ENODEV: not a virtio function;
 * CCDMA_ENOTSUP: legacy only (no common config); CCDMA_EPROTO: a capability
 * that points outside its BAR or is malformed.
 */
int ccdma_virtio_pci_transport(const struct pci_dev *d, struct ccdma_virtio_transport *t);

#endif /* CCDMA_DRIVERS_VIRTIO_PCI_H */
