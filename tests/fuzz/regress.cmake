# One fuzz regression run (ctest): the seed corpus, then RUNS mutations
# with a fixed seed. New inputs go to WORK, emptied first, so the run is
# the same every time and the repository's corpus is never written.
foreach(v FUZZER CORPUS WORK RUNS)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "regress.cmake: ${v} not set")
  endif()
endforeach()
if(NOT IS_DIRECTORY ${CORPUS})
  message(FATAL_ERROR "no seed corpus at ${CORPUS}")
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/new)
execute_process(
  COMMAND ${FUZZER} -runs=${RUNS} -seed=1 -timeout=10 -rss_limit_mb=2048
          -print_final_stats=1 -artifact_prefix=${WORK}/
          ${WORK}/new ${CORPUS}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${rc}); the crashing input is in ${WORK}")
endif()
