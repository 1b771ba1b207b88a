/* SPDX-License-Identifier: MIT */
/*
 * The EL2 program's own vectors: its exceptions, and the faults a probe
 * expects, go to exc_handler_el2 (monitor/el2/exceptions.c). While a REC
 * runs, the emulated RMM points VBAR_EL2 at its own table instead.
 */
#include "arch/arm64/exc_vectors.h"

vtable 2, exc_handler_el2
