#!/usr/bin/env bash
# Rebuilds the prebuilt example guests (examples/guests/*.wasm) from their C
# sources. The binaries are committed so that trying capwasi needs no C
# toolchain; `build.sh --check` rebuilds into a scratch directory and fails if
# any committed binary differs from what its source builds to.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here"
check=0
if [ "${1:-}" = "--check" ]; then
  check=1
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
# -ffile-prefix-map keeps host paths out of the binaries so they are reproducible.
cflags=(--target=wasm32-wasi -O2 -Wall -Werror -s "-ffile-prefix-map=$here=.")
for src in "$here"/*.c; do
  name=$(basename "$src" .c)
  clang "${cflags[@]}" -o "$out/$name.wasm" "$src"
done
if [ "$check" = 1 ]; then
  status=0
  for built in "$out"/*.wasm; do
    name=$(basename "$built")
    if ! cmp -s "$built" "$here/$name"; then
      echo "examples/guests/$name does not match its source; run examples/guests/build.sh" >&2
      status=1
    fi
  done
  for committed in "$here"/*.wasm; do
    [ -e "$out/$(basename "$committed")" ] || { echo "$committed has no source" >&2; status=1; }
  done
  exit $status
fi
