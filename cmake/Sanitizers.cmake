# Sanitizer and fuzzing builds (scripts/sanitize.sh, scripts/fuzz.sh).
#   ACQUILA_SANITIZE=address,undefined   AddressSanitizer + UndefinedBehaviorSanitizer
#   ACQUILA_SANITIZE=thread              ThreadSanitizer
#   ACQUILA_BUILD_FUZZ=ON                libFuzzer targets in fuzz/ (clang only); every
#                                        target is built with coverage for the fuzzer
# Build type "Sanitize": -O1 with line tables only, fast to build and still readable
# stack traces. Every undefined-behaviour report is fatal.
set(ACQUILA_SANITIZE "" CACHE STRING "Comma-separated sanitizers (address,undefined | thread)")
option(ACQUILA_BUILD_FUZZ "Build the libFuzzer targets (clang)" OFF)

set(CMAKE_CXX_FLAGS_SANITIZE "-O1 -gline-tables-only" CACHE STRING "")
set(CMAKE_C_FLAGS_SANITIZE "-O1 -gline-tables-only" CACHE STRING "")

if(ACQUILA_SANITIZE)
  set(_san -fsanitize=${ACQUILA_SANITIZE} -fno-omit-frame-pointer)
  if(ACQUILA_SANITIZE MATCHES "undefined")
    list(APPEND _san -fno-sanitize-recover=undefined)
  endif()
  add_compile_options(${_san})
  add_link_options(${_san})
endif()

if(ACQUILA_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "ACQUILA_BUILD_FUZZ needs clang (e.g. -DCMAKE_CXX_COMPILER=clang++-14)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
