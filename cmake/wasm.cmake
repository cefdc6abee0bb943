# The deployable module: one standalone .wasm that imports only wasi_snapshot_preview1
# functions (see src/abi/README.md). Both toolchains build the same sources.
add_executable(alphogen src/wasm_main.cpp)
target_link_libraries(alphogen PRIVATE ag_core)
target_compile_options(alphogen PRIVATE -fno-exceptions)
set_target_properties(alphogen PROPERTIES SUFFIX ".wasm")

if(CMAKE_SYSTEM_NAME STREQUAL "Emscripten")
  target_link_options(alphogen PRIVATE
    -sSTANDALONE_WASM --no-entry
    -sALLOW_MEMORY_GROWTH=1 -sINITIAL_MEMORY=4MB -sMAXIMUM_MEMORY=96MB
    -sTOTAL_STACK=256KB
    # NOTE: Emscripten 3.1.6 does not know WASI's random_get and would refuse the
    # declared import (src/core/ctx.cpp); the integration suite checks the imports.
    -sERROR_ON_UNDEFINED_SYMBOLS=0 -sFILESYSTEM=0)
else()
  target_link_options(alphogen PRIVATE -mexec-model=reactor -Wl,--max-memory=100663296 -Wl,-z,stack-size=262144)
endif()

# A stand-in core that traps on demand: the integration suite checks that the shim answers
# 500 and builds a fresh instance for the next request (tests/integration/trap.test.mjs).
add_executable(trap_fixture tests/fixtures/trap_core.cpp)
set_target_properties(trap_fixture PROPERTIES SUFFIX ".wasm")
get_target_property(AG_WASM_LINK_OPTIONS alphogen LINK_OPTIONS)
target_link_options(trap_fixture PRIVATE ${AG_WASM_LINK_OPTIONS})
