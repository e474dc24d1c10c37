#!/usr/bin/env bash
# Rebuilds the spec programs from their sources: every spec-tests/FAMILY/NAME.c
# (clang, wasm32-wasi, wasi-libc) and NAME.wat (wat2wasm) becomes NAME.wasm next
# to it. The binaries are committed so that running the suite, with cargo or
# with the official runner, needs no C toolchain. `--check` builds into a
# scratch directory instead and fails if any committed binary differs from what
# its source builds to, or has no source.
#
#   build.sh [--check]
#
# Needs clang, lld, wasi-libc, libclang-rt-dev-wasm32 and wabt.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
check=0
case "${1-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# -ffile-prefix-map keeps host paths out of the binaries, so a rebuild on any
# machine gives the same bytes.
cflags=(--target=wasm32-wasi -O2 -Wall -Werror -s "-ffile-prefix-map=$here=.")
status=0
for family in "$here"/*/; do
  family=${family%/}
  name=$(basename "$family")
  [ "$name" = include ] && continue
  out="$family"
  if [ "$check" = 1 ]; then
    out="$scratch/$name"
    mkdir -p "$out"
  fi
  shopt -s nullglob
  for c in "$family"/*.c; do
    clang "${cflags[@]}" -I"$here/include" -o "$out/$(basename "$c" .c).wasm" "$c"
  done
  for wat in "$family"/*.wat; do
    wat2wasm -o "$out/$(basename "$wat" .wat).wasm" "$wat"
  done
  if [ "$check" = 1 ]; then
    for built in "$out"/*.wasm; do
      if ! cmp -s "$built" "$family/$(basename "$built")"; then
        echo "spec-tests/$name/$(basename "$built") does not match its source; run spec-tests/build.sh" >&2
        status=1
      fi
    done
    for committed in "$family"/*.wasm; do
      if [ ! -e "$out/$(basename "$committed")" ]; then
        echo "${committed#"$repo"/} has no source" >&2
        status=1
      fi
    done
  fi
  shopt -u nullglob
done
exit $status
