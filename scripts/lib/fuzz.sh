# shellcheck shell=bash
# Runs the libFuzzer targets of tests/fuzz (built by `scripts/build fuzz` into build/fuzz).
# Each target starts from its seed corpus in the repository (tests/fuzz/corpus/<target>, never
# written) plus what earlier runs found (build/fuzz/corpus/<target>, where new inputs go);
# a crash leaves its input in build/fuzz/artifacts/.

# shellcheck source-path=SCRIPTDIR source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The targets, one name per line.
fuzz_targets() {
  local root
  root=$(repo_root)
  find "$root/tests/fuzz" -maxdepth 1 -name '*_fuzz.cpp' -printf '%f\n' | sed 's/\.cpp$//' | sort
}

# run_fuzz_target TARGET SECONDS LOG: true when the target ran its time without a finding.
run_fuzz_target() {
  local target=$1 seconds=$2 out=$3 root found
  root=$(repo_root)
  found="$root/build/fuzz/corpus/$target"
  mkdir -p "$found" "$root/build/fuzz/artifacts"
  "$root/build/fuzz/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$root/build/fuzz/artifacts/$target-" \
    "$found" "$root/tests/fuzz/corpus/$target" >"$out" 2>&1
}
