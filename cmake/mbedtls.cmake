# mbedTLS (crypto only) as ag::mbedcrypto. Debian ships no wasm build of it, so
# scripts/lib/deps.sh (ensure_mbedtls FLAVOUR) builds libmbedcrypto.a from Debian's
# source package into .cache/mbedtls/<flavour>; each preset names its flavour.
set(AG_MBEDTLS_FLAVOUR "native" CACHE STRING "mbedTLS build to use: native, emscripten or wasi")
set_property(CACHE AG_MBEDTLS_FLAVOUR PROPERTY STRINGS native emscripten wasi)
# -DAG_MBEDTLS_ROOT=PREFIX overrides; the default follows the flavour (so not cached).
if(NOT AG_MBEDTLS_ROOT)
  set(AG_MBEDTLS_ROOT "${CMAKE_SOURCE_DIR}/.cache/mbedtls/${AG_MBEDTLS_FLAVOUR}")
endif()

set(AG_MBEDTLS_LIB "${AG_MBEDTLS_ROOT}/lib/libmbedcrypto.a")
if(NOT EXISTS "${AG_MBEDTLS_LIB}" OR NOT EXISTS "${AG_MBEDTLS_ROOT}/include/mbedtls/config.h")
  message(FATAL_ERROR
    "mbedTLS (${AG_MBEDTLS_FLAVOUR}) not found in ${AG_MBEDTLS_ROOT}.\n"
    "Run scripts/build, or build it alone with:\n"
    "  bash -c 'source scripts/lib/deps.sh && ensure_mbedtls ${AG_MBEDTLS_FLAVOUR}'")
endif()

# A rebuilt libmbedcrypto.a relinks our targets (imported locations are link
# dependencies) and changed headers recompile through the usual dependency scan.
add_library(ag_mbedcrypto STATIC IMPORTED GLOBAL)
set_target_properties(ag_mbedcrypto PROPERTIES IMPORTED_LOCATION "${AG_MBEDTLS_LIB}")
# SYSTEM: mbedTLS headers must not trip our -Wall -Wextra (or -Werror).
target_include_directories(ag_mbedcrypto SYSTEM INTERFACE "${AG_MBEDTLS_ROOT}/include")
add_library(ag::mbedcrypto ALIAS ag_mbedcrypto)
