#!/usr/bin/env bash
# A short fuzzing run of every target, for CI: each starts from its
# committed corpus (fuzz/corpus/TARGET) and runs for FUZZ_SECONDS (default
# 45) under AddressSanitizer, with the full snapshot check after every
# operation. Exits non-zero on any finding and prints the input that found
# it. Inputs the run discovers go to a scratch directory, not the corpus.
#
#   fuzz/smoke.sh                every target `cargo fuzz list` names
#   fuzz/smoke.sh p2_path_ops    one target
#
# Needs the nightly toolchain; installs cargo-fuzz if it is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
seconds=${FUZZ_SECONDS:-45}

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "fuzz/smoke.sh: the nightly toolchain is needed (rustup toolchain install nightly)" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# The oracle's own tests (it must see what it is there to see), and every
# corpus input replayed without libFuzzer.
cargo test --release --quiet

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
cargo +nightly fuzz build --features asan

export CAPWASI_FUZZ_FULL_CHECK=1
status=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/new" "$work/$target/artifacts"
  echo "== $target: ${seconds}s from corpus/$target ($(ls "corpus/$target" | wc -l) inputs)"
  if cargo +nightly fuzz run --features asan "$target" "$work/$target/new" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$target/artifacts/" >"$work/$target/log" 2>&1; then
    # The last status line carries the coverage (cov:) and features (ft:).
    grep -E '^#[0-9]+' "$work/$target/log" | tail -1 || true
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$work/$target/log" || true
    echo "ok $target: no findings"
  else
    status=1
    echo "FAILED $target:" >&2
    tail -60 "$work/$target/log" >&2
    for artifact in "$work/$target/artifacts"/*; do
      [ -e "$artifact" ] || continue
      echo "--- $(basename "$artifact") (add it to corpus/$target once fixed):" >&2
      od -An -tx1 -v "$artifact" >&2
    done
  fi
done
exit $status
