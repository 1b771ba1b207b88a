# AArch32 bare-metal toolchain: Debian's arm-none-eabi-gcc (gcc-arm-none-eabi)
# with newlib (libnewlib-arm-none-eabi). The firmware provides newlib's
# system calls itself (arch/arm/syscalls.c): no specs, no libnosys.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_ASM_COMPILER arm-none-eabi-gcc)
set(CMAKE_OBJCOPY arm-none-eabi-objcopy CACHE FILEPATH "")
set(CMAKE_READELF arm-none-eabi-readelf CACHE FILEPATH "")
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Hard-float ARMv7-A with VFPv3-D16, Thumb-2: newlib's thumb/v7-a+fp/hard
# multilib, the same ABI as Debian's armhf libfdt.a (Tag_ABI_VFP_args: VFP
# registers), which a soft-float link refuses (docs/aarch32.md). C code is
# Thumb-2; the entry, vectors and probes are A32.
set(CCDMA_ARM_ABI_FLAGS "-mthumb -march=armv7-a+fp -mfloat-abi=hard -mtune=cortex-a15")

# -mno-unaligned-access: code that runs before the MMU is on sees
# Strongly-ordered memory, where unaligned accesses fault on real hardware.
set(CMAKE_C_FLAGS_INIT "${CCDMA_ARM_ABI_FLAGS} -ffreestanding -mno-unaligned-access -fno-omit-frame-pointer -ffunction-sections -fdata-sections -fstack-protector-strong")
set(CMAKE_ASM_FLAGS_INIT "${CCDMA_ARM_ABI_FLAGS}")
# -z noexecstack: libgcc's objects lack .note.GNU-stack; there is no loader
# here to care, and the default warning about it is noise.
set(CMAKE_EXE_LINKER_FLAGS_INIT "${CCDMA_ARM_ABI_FLAGS} -nostartfiles -static -Wl,--gc-sections -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
