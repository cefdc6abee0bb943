# shellcheck shell=bash
# Installers for what the builds, tests and dev server need. Source this file; every
# function is idempotent and a warm call costs well under a second, so scripts can call
# them unconditionally. Packages come only from Debian's archive and the npm registry.

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Compilers and libraries for the four builds (native, Emscripten, clang-14 + WASI, and the
# fuzzers' clang-16: clang-14's ASan build miscompiles a coroutine's final suspend, see
# docs/development.md).
ensure_build_tools() {
  apt_ensure cmake make g++ pkg-config dpkg-dev \
    nlohmann-json3-dev catch2 \
    emscripten binaryen \
    clang-14 lld-14 llvm-14 wasi-libc libclang-rt-14-dev \
    libc++-14-dev-wasm32 libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32 \
    clang-16 libclang-rt-16-dev
}

# Postgres for the integration tests. Bookworm's postgresql-15 already ships the
# contrib extensions (it "Provides" postgresql-contrib-15), so nothing else is needed.
ensure_postgres() {
  apt_ensure postgresql-15
}

# PgBouncer: the benchmark's stand-in for Hyperdrive (bench/pooler.mjs), which the
# integration tests also run (bench.test.mjs).
ensure_pgbouncer() {
  apt_ensure pgbouncer
}

# ffmpeg: the local generation server (scripts/local-gen) encodes its videos with it, and the
# test of that server checks them with its ffprobe.
ensure_ffmpeg() {
  apt_ensure ffmpeg
}

# The official JSON-Schema-Test-Suite, which scripts/test's schema-suite layer runs through the
# input validator (src/inputs/keywords).
ensure_schema_suite() {
  apt_ensure json-schema-test-suite
}

# Chromium for the browser tests (tests/browser), driven by playwright-core: Playwright's own
# browser download is not an option, Debian's build is.
ensure_chromium() {
  apt_ensure chromium
}

# curl and jq: the README's quick start talks to scripts/dev with them.
ensure_quick_start_tools() {
  apt_ensure curl jq
}

# npm ci only when package-lock.json changed since the last good install: a warm call
# hashes one file. Without a lock file, npm install makes one.
ensure_node_modules() {
  local root stamp want
  root=$(repo_root)
  stamp="$root/node_modules/.alphogen-stamp"
  if [ -f "$root/package-lock.json" ]; then
    want=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
    log "npm ci"
    (cd "$root" && npm ci --no-audit --no-fund </dev/null >&2) || return 1
  else
    log "npm install (no package-lock.json yet)"
    (cd "$root" && npm install --no-audit --no-fund </dev/null >&2) || return 1
    want=$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)
  fi
  printf '%s\n' "$want" >"$stamp"
}

# --- mbedTLS ---------------------------------------------------------------------
# The wasm builds need mbedTLS compiled for wasm, which Debian does not ship, so we
# build libmbedcrypto.a from Debian's own source package, once per flavour, into
#   .cache/mbedtls/src                 the unpacked source (shared, never edited)
#   .cache/mbedtls/build/<flavour>     a hard-linked copy of it (own config.h) + objects
#   .cache/mbedtls/<flavour>/{include,lib}   what cmake/mbedtls.cmake uses

# apt-get source needs deb-src entries; the machine has binary ones only. Add a separate
# file mirroring the Debian entries rather than editing the system's own files.
_ag_enable_deb_src() {
  apt-cache showsrc mbedtls 2>/dev/null | grep -q '^Package: mbedtls$' && return 0
  local deb822=/etc/apt/sources.list.d/debian.sources
  if [ -f "$deb822" ]; then
    sed -e '/^#/d' -e 's/^Types: deb$/Types: deb-src/' "$deb822" |
      as_root tee /etc/apt/sources.list.d/alphogen-src.sources >/dev/null
  else # one-line format (older images)
    grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' |
      as_root tee /etc/apt/sources.list.d/alphogen-src.list >/dev/null
  fi
  apt_refresh
}

_ag_mbedtls_fetch() {
  local cache=$1 tmp
  [ -f "$cache/src/include/mbedtls/version.h" ] && return 0
  apt_ensure dpkg-dev || return 1 # dpkg-source unpacks it and applies Debian's patches
  _ag_enable_deb_src || return 1
  tmp=$(mktemp -d "$cache/fetch.XXXXXX") || return 1
  log "apt-get source mbedtls"
  (cd "$tmp" && apt-get source -q mbedtls </dev/null >&2) || { rm -rf "$tmp"; return 1; }
  rm -rf "$cache/src" && mv "$tmp"/mbedtls-*/ "$cache/src" && rm -rf "$tmp"
}

# Prints the stamp for a build: the source version and a hash of everything that
# shapes the build (flags, wasm config, toolchain file). Bump "recipe 1" to force rebuilds.
_ag_mbedtls_stamp() {
  local src=$1; shift
  printf 'mbedtls %s (debian %s)\nflags %s\n' \
    "$(sed -n 's/^#define MBEDTLS_VERSION_STRING  *"\(.*\)"/\1/p' "$src/include/mbedtls/version.h")" \
    "$(sed -n '1s/^mbedtls (\([^)]*\)).*/\1/p' "$src/debian/changelog")" \
    "$(printf '%s\n' "recipe 1" "$@" | sha256sum | cut -d' ' -f1)"
}

# _ag_mbedtls_build SRC BUILD PREFIX WASM_CONFIG CONFIGURE_CMD -- CMAKE_ARGS...
_ag_mbedtls_build() {
  local src=$1 build=$2 prefix=$3 wasm_config=$4 configure=() ; shift 4
  while [ "$1" != -- ]; do configure+=("$1"); shift; done; shift

  # A hard-linked copy costs no space and gives each flavour its own config.h
  # (sed -i writes a new file, so the shared source is never modified).
  rm -rf "$build" "$prefix"
  mkdir -p "$build" && cp -al "$src" "$build/src" || return 1
  if [ -n "$wasm_config" ]; then
    # Name our adjustments as MBEDTLS_USER_CONFIG_FILE inside config.h itself, so the
    # installed headers carry the configuration the library was compiled with.
    cp "$wasm_config" "$build/src/include/mbedtls/alphogen_config.h" || return 1
    sed -i '/^#define MBEDTLS_CONFIG_H$/a #define MBEDTLS_USER_CONFIG_FILE "mbedtls/alphogen_config.h"' \
      "$build/src/include/mbedtls/config.h"
    grep -q alphogen_config.h "$build/src/include/mbedtls/config.h" ||
      { log "mbedTLS config.h has an unexpected layout"; return 1; }
  fi
  "${configure[@]}" -S "$build/src" -B "$build/obj" "$@" >"$build/configure.log" 2>&1 ||
    { tail -n 30 "$build/configure.log" >&2; log "mbedTLS configure failed: $build/configure.log"; return 1; }
  cmake --build "$build/obj" --target mbedcrypto -j"$(nproc)" >"$build/build.log" 2>&1 ||
    { tail -n 30 "$build/build.log" >&2; log "mbedTLS build failed: $build/build.log"; return 1; }
  mkdir -p "$prefix/include" "$prefix/lib" &&
    cp -r "$build/src/include/mbedtls" "$build/src/include/psa" "$prefix/include/" &&
    cp "$build/obj/library/libmbedcrypto.a" "$prefix/lib/"
}

# ensure_mbedtls native|emscripten|wasi
ensure_mbedtls() {
  local flavour=${1:?usage: ensure_mbedtls native|emscripten|wasi}
  local root cache prefix stamp want
  root=$(repo_root)
  cache="$root/.cache/mbedtls"
  prefix="$cache/$flavour"
  stamp="$prefix/.alphogen-stamp"

  # Only libmbedcrypto (hashes, HMAC, bignum/ECP/ECDSA, RSA, base64, pk): no TLS, no
  # X.509, no tests or programs. mbedTLS turns warnings into errors by default, which
  # a compiler newer than upstream's CI can trip on code we do not own. Build type
  # None: the optimisation level comes from our C flags alone.
  local args=(-DENABLE_TESTING=OFF -DENABLE_PROGRAMS=OFF
    -DUSE_STATIC_MBEDTLS_LIBRARY=ON -DUSE_SHARED_MBEDTLS_LIBRARY=OFF
    -DMBEDTLS_FATAL_WARNINGS=OFF -DCMAKE_BUILD_TYPE=None)
  local configure=(cmake) wasm_config="$root/cmake/mbedtls_config_wasm.h" toolchain=""
  case $flavour in
    native) wasm_config=""; args+=(-DCMAKE_C_COMPILER=gcc "-DCMAKE_C_FLAGS=-O2 -fPIC") ;;
    emscripten) configure=(emcmake cmake); args+=("-DCMAKE_C_FLAGS=-Os") ;;
    wasi)
      toolchain="$root/cmake/toolchains/wasi-clang14.cmake"
      args+=("-DCMAKE_TOOLCHAIN_FILE=$toolchain" "-DCMAKE_C_FLAGS=-Os") ;;
    *) log "ensure_mbedtls: unknown flavour '$flavour' (native, emscripten or wasi)"; return 2 ;;
  esac
  local inputs=("$flavour" "${args[@]}")
  [ -z "$wasm_config" ] || inputs+=("$(cat "$wasm_config")")
  [ -z "$toolchain" ] || inputs+=("$(cat "$toolchain")")

  # Warm path: nothing but a stamp comparison.
  if [ -f "$stamp" ] && [ -f "$prefix/lib/libmbedcrypto.a" ] && [ -d "$cache/src" ]; then
    want=$(_ag_mbedtls_stamp "$cache/src" "${inputs[@]}")
    [ "$(cat "$stamp")" = "$want" ] && return 0
  fi

  # Cold path, in a subshell holding a lock (presets may be configured in parallel;
  # the lock is released when the subshell exits, however it exits).
  mkdir -p "$cache"
  (
    flock 9
    _ag_mbedtls_fetch "$cache" || exit 1
    want=$(_ag_mbedtls_stamp "$cache/src" "${inputs[@]}")
    [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0 # built while we waited
    log "building $(head -n1 <<<"$want") for $flavour"
    start=$SECONDS
    _ag_mbedtls_build "$cache/src" "$cache/build/$flavour" "$prefix" "$wasm_config" \
      "${configure[@]}" -- "${args[@]}" || exit 1
    printf '%s\n' "$want" >"$stamp" # last: a half-done install never looks finished
    log "mbedTLS for $flavour ready in $((SECONDS - start)) s: $prefix"
  ) 9>"$cache/.lock"
}
