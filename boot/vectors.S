/* SPDX-License-Identifier: MIT */
/*
 * The runtime's exception vectors for EL1, and for EL2 and EL3 while the
 * boot path passes through them (boot/exceptions.c handles each).
 */
#include "arch/arm64/exc_vectors.h"

vtable 1
vtable 2
vtable 3
