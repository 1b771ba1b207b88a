# AArch64 bare-metal toolchain: Debian's aarch64-linux-gnu-gcc used
# freestanding, with picolibc (picolibc-aarch64-linux-gnu) as the C library.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "")
set(CMAKE_READELF aarch64-linux-gnu-readelf CACHE FILEPATH "")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(CCDMA_PICOLIBC_SPECS /usr/lib/picolibc/aarch64-linux-gnu/picolibc.specs)

# No FP/SIMD registers in generated code: the exception entry saves only the
# general registers.
# -mstrict-align keeps code that runs before the MMU is on from making
# unaligned accesses (Device memory faults them on real hardware).
set(CMAKE_C_FLAGS_INIT "--specs=${CCDMA_PICOLIBC_SPECS} -ffreestanding -fno-pie -mgeneral-regs-only -mstrict-align -fno-omit-frame-pointer -ffunction-sections -fdata-sections -fstack-protector-strong")
set(CMAKE_ASM_FLAGS_INIT "--specs=${CCDMA_PICOLIBC_SPECS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostartfiles -static -no-pie -Wl,--gc-sections -Wl,--no-warn-rwx-segments")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
