# Measurement and attestation (docs/security.md): the realm booted with a
# fresh challenge by tests/attest/attest_boot.py, its token or its
# measurements checked by tests/attest/verify_token.py. Each tamper test
# changes one input and passes only when exactly the right checks fail.
# Included from monitor/monitor.cmake, which defines rme_why, rme_flash,
# realm_elf and realm_common.
set(CCDMA_VERIFIER_PYTHON "" CACHE FILEPATH
  "A Python 3 with cbor2 and cryptography (Debian's python3-cbor2 and python3-cryptography)")
set(verifier_py "${CCDMA_VERIFIER_PYTHON}")
if(NOT verifier_py)
  # Debian's modules live in Debian's interpreter, which need not be the
  # first python3 on PATH.
  foreach(py ${Python3_EXECUTABLE} /usr/bin/python3)
    execute_process(COMMAND ${py} -c "import cbor2, cryptography"
      RESULT_VARIABLE r OUTPUT_QUIET ERROR_QUIET)
    if(r EQUAL 0)
      set(verifier_py ${py})
      break()
    endif()
  endforeach()
endif()

set(attest_why "")
if(NOT CCDMA_HAVE_HASH)
  set(attest_why "the firmware was built without Mbed TLS, so nothing is measured (run ./ccdma deps)")
elseif(NOT verifier_py)
  set(attest_why "no Python 3 with cbor2 and cryptography (apt-get install python3-cbor2 python3-cryptography)")
endif()
set(attest_boot ${CCDMA_ROOT}/tests/attest/attest_boot.py)
set(tamper_image ${CCDMA_ROOT}/tests/attest/tamper_image.py)

# ccdma_attest_test(NAME RMM emulated|tf-rmm IMAGE img [ATTEST args...] [BOOT args...])
function(ccdma_attest_test name)
  cmake_parse_arguments(T "" "RMM;IMAGE" "ATTEST;BOOT" ${ARGN})
  set(why "${attest_why}")
  if(NOT why AND T_RMM STREQUAL "tf-rmm")
    set(why "${rme_why}")
  endif()
  if(why)
    ccdma_skipped_test(${name} "${why}")
    return()
  endif()
  if(T_RMM STREQUAL "tf-rmm")
    set(boot --qemu ${CCDMA_QEMU_RME} --config rme --boot bios --cpu max,x-rme=on
      --expect "^Booting RMM v\\.0\\.7\\.0")
  else()
    set(boot --qemu ${QEMU_AARCH64} --config el2 --boot elf)
    list(APPEND T_ATTEST --measurements)
  endif()
  add_test(NAME ${name} COMMAND ${Python3_EXECUTABLE} ${attest_boot}
    --verifier-python ${verifier_py} --image ${CMAKE_BINARY_DIR}/ccdma.bin
    --log ${CMAKE_BINARY_DIR}/${name}.log ${T_ATTEST}
    -- ${boot} --image ${T_IMAGE} --expect-mode realm
      --virtio ${CMAKE_BINARY_DIR}/disk-${name}.img ${realm_common} ${T_BOOT})
  set_tests_properties(${name} PROPERTIES TIMEOUT 300 LABELS qemu)
endfunction()

# Host images whose realm image differs from ccdma.bin by one byte.
if(NOT attest_why)
  set(tampered_elf ${CMAKE_BINARY_DIR}/ccdma-realm-tampered.elf)
  add_custom_command(OUTPUT ${tampered_elf}
    COMMAND ${Python3_EXECUTABLE} ${tamper_image} --host ${realm_elf}
      --image ${CMAKE_BINARY_DIR}/ccdma.bin --out ${tampered_elf}
    DEPENDS ccdma-realm.elf ${tamper_image} COMMENT "ccdma-realm.elf with a changed realm image")
  set(tampered_targets ${tampered_elf})
  if(NOT rme_why)
    set(tampered_host ${CMAKE_BINARY_DIR}/ccdma-host-tampered.bin)
    set(tampered_flash ${CMAKE_BINARY_DIR}/ccdma-rme-flash-tampered.bin)
    add_custom_command(OUTPUT ${tampered_flash}
      COMMAND ${Python3_EXECUTABLE} ${tamper_image} --host ${CMAKE_BINARY_DIR}/ccdma-host.bin
        --image ${CMAKE_BINARY_DIR}/ccdma.bin --out ${tampered_host}
      COMMAND ${CCDMA_ROOT}/toolchain/deps.sh rme-flash ${tampered_host} ${tampered_flash}
      DEPENDS ${CMAKE_BINARY_DIR}/ccdma-host.bin ${CCDMA_RME_STACK}/fip.bin ${tamper_image}
      COMMENT "TF-A flash image with a changed realm image")
    list(APPEND tampered_targets ${tampered_flash})
  endif()
  add_custom_target(attest_tampered ALL DEPENDS ${tampered_targets})
endif()

# Under the emulated RMM: no token (it has no attestation key), but the
# RIM and REMs it keeps must be the specification's, recomputed here from
# nothing the monitor computed.
ccdma_attest_test(attest-emulated RMM emulated IMAGE ${realm_elf})
ccdma_attest_test(attest-emulated-tamper-image RMM emulated IMAGE ${CMAKE_BINARY_DIR}/ccdma-realm-tampered.elf
  ATTEST --expect-fail rim)

# Under TF-RMM: the real token, signed with the RAK TF-RMM holds.
ccdma_attest_test(attest-tfrmm RMM tf-rmm IMAGE ${rme_flash})
ccdma_attest_test(attest-tfrmm-tamper-image RMM tf-rmm IMAGE ${CMAKE_BINARY_DIR}/ccdma-rme-flash-tampered.bin
  ATTEST --expect-fail rim BOOT --expect "^ccdma: Attestation token: [0-9]+ bytes")
ccdma_attest_test(attest-tfrmm-tamper-dtb RMM tf-rmm IMAGE ${rme_flash}
  ATTEST --expect-fail rem0
  BOOT --qemu-arg "-fw_cfg name=opt/ccdma/host-tamper,string=dtb"
    --expect "monitor: host-tamper=dtb")
ccdma_attest_test(attest-tfrmm-tamper-bootargs RMM tf-rmm IMAGE ${rme_flash}
  ATTEST --tamper bootargs --expect-fail rem1)
# The nonce is a bootarg, so the realm's bootargs differ from the
# verifier's too.
ccdma_attest_test(attest-tfrmm-tamper-nonce RMM tf-rmm IMAGE ${rme_flash}
  ATTEST --tamper nonce --expect-fail challenge,rem1)

# The verifier itself, against copies of a good token broken in known ways.
if(attest_why OR rme_why)
  ccdma_skipped_test(attest-verifier-mutations "${attest_why}${rme_why}")
else()
  set_tests_properties(attest-tfrmm PROPERTIES FIXTURES_SETUP attest_tfrmm)
  add_test(NAME attest-verifier-mutations COMMAND ${verifier_py}
    ${CCDMA_ROOT}/tests/attest/verifier_mutations.py
    --log ${CMAKE_BINARY_DIR}/attest-tfrmm.log --image ${CMAKE_BINARY_DIR}/ccdma.bin)
  set_tests_properties(attest-verifier-mutations PROPERTIES
    FIXTURES_REQUIRED attest_tfrmm LABELS qemu)
endif()

# The emulated RMM's tokens that never end: the realm's CONTINUE loop stops
# with a clean error, at boot and in its self-test, and writes nothing past
# its buffer.
ccdma_realm_test(realm-token-stall --append "ccdma.inject=token_stall"
  --expect "ok .* - realm_attestation: attestation: CONTINUE answering INCOMPLETE"
  --expect "rmm: counters .*faults_injected=[1-9]")
ccdma_realm_test(realm-token-overrun --append "ccdma.inject=token_overrun"
  --expect "ok .* - realm_attestation: attestation: a token longer than its buffer"
  --expect "rmm: counters .*faults_injected=[1-9]")
