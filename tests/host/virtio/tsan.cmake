# ThreadSanitizer variants of host targets. TSan cannot share a binary with
# ASan, which the host build puts on every target (CCDMA_SANITIZE), so a
# TSan executable gets its own copies of the libraries it links, built from
# the same sources and properties with TSan+UBSan instead of ASan+UBSan.
include_guard(GLOBAL)
# Imported targets the originals link (Threads::Threads) are scoped to the
# directory that found them.
find_package(Threads REQUIRED)

# Swap the sanitizer flags of one target.
function(ccdma_tsan_flags tgt)
  foreach(prop COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(opts ${tgt} ${prop})
    if(opts)
      list(FILTER opts EXCLUDE REGEX "^-f(no-)?sanitize")
      set_target_properties(${tgt} PROPERTIES ${prop} "${opts}")
    endif()
  endforeach()
  # GCC warns that TSan does not model atomic_thread_fence; the host port's
  # barriers are fences, and the tests state the ordering they give.
  target_compile_options(${tgt} PRIVATE -fsanitize=thread,undefined
    -fno-sanitize-recover=undefined $<$<C_COMPILER_ID:GNU>:-Wno-tsan>)
  target_link_options(${tgt} PRIVATE -fsanitize=thread,undefined)
endfunction()

# ccdma_tsan_clone(LIB): LIB_tsan, a static library with LIB's sources,
# include directories and definitions, linking the TSan clones of LIB's
# own static libraries.
function(ccdma_tsan_clone lib)
  if(TARGET ${lib}_tsan)
    return()
  endif()
  get_target_property(srcs ${lib} SOURCES)
  get_target_property(dir ${lib} SOURCE_DIR)
  set(abs)
  foreach(s IN LISTS srcs)
    if(IS_ABSOLUTE "${s}")
      list(APPEND abs "${s}")
    else()
      list(APPEND abs "${dir}/${s}")
    endif()
  endforeach()
  add_library(${lib}_tsan STATIC ${abs})
  foreach(prop INCLUDE_DIRECTORIES COMPILE_DEFINITIONS COMPILE_OPTIONS
               INTERFACE_INCLUDE_DIRECTORIES INTERFACE_COMPILE_DEFINITIONS)
    get_target_property(v ${lib} ${prop})
    if(v)
      set_target_properties(${lib}_tsan PROPERTIES ${prop} "${v}")
    endif()
  endforeach()
  ccdma_tsan_flags(${lib}_tsan)
  get_target_property(deps ${lib} LINK_LIBRARIES)
  if(deps)
    foreach(dep IN LISTS deps)
      if(TARGET ${dep})
        get_target_property(type ${dep} TYPE)
        get_target_property(imported ${dep} IMPORTED)
      else()
        set(type NONE)
        set(imported TRUE)
      endif()
      if(type STREQUAL "STATIC_LIBRARY" AND NOT imported)
        ccdma_tsan_clone(${dep})
        target_link_libraries(${lib}_tsan PUBLIC ${dep}_tsan)
      else()
        target_link_libraries(${lib}_tsan PUBLIC ${dep})
      endif()
    endforeach()
  endif()
endfunction()

# ccdma_tsan_executable(NAME SOURCES src... LIBS lib...)
function(ccdma_tsan_executable name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  ccdma_tsan_flags(${name})
  foreach(lib IN LISTS T_LIBS)
    ccdma_tsan_clone(${lib})
    target_link_libraries(${name} PRIVATE ${lib}_tsan)
  endforeach()
endfunction()
