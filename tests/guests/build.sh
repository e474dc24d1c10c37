#!/usr/bin/env bash
# Rebuilds prebuilt C guests from their sources: by default the test guests,
# tests/guests/src/*.c -> tests/guests/bin/*.wasm. The binaries are committed
# so that `cargo test` and trying capwasi need no C toolchain; `--check`
# rebuilds into a scratch directory and fails if any committed binary differs
# from what its source builds to.
#
#   build.sh [--check] [--root DIR] [--src SUBDIR] [--out SUBDIR]
#
# ROOT (default: this script's directory) is where the guests live and whose
# build.sh a stale binary is reported against; SUBDIR paths are relative to it
# (defaults: src and bin). examples/guests/build.sh uses this for the demo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
root="$here"
src=src
bin=bin
check=0
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --root) root=$(cd "$2" && pwd); shift ;;
    --src) src=$2; shift ;;
    --out) bin=$2; shift ;;
    *) echo "usage: $0 [--check] [--root DIR] [--src SUBDIR] [--out SUBDIR]" >&2; exit 2 ;;
  esac
  shift
done
src=$(cd "$root/$src" && pwd)
bin=$(cd "$root/$bin" && pwd)
out="$bin"
if [ "$check" = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
# -ffile-prefix-map keeps host paths out of the binaries so they are reproducible.
cflags=(--target=wasm32-wasi -O2 -Wall -Werror -s "-ffile-prefix-map=$root=.")
for c in "$src"/*.c; do
  name=$(basename "$c" .c)
  clang "${cflags[@]}" -I"$src" -o "$out/$name.wasm" "$c"
done
if [ "$check" = 1 ]; then
  status=0
  for built in "$out"/*.wasm; do
    name=$(basename "$built")
    if ! cmp -s "$built" "$bin/$name"; then
      echo "${bin#"$repo"/}/$name does not match its source; run ${root#"$repo"/}/build.sh" >&2
      status=1
    fi
  done
  for committed in "$bin"/*.wasm; do
    # NAME.component.wasm is NAME.wasm encoded as a component; tests/wit.rs
    # checks it against that module.
    case "$committed" in *.component.wasm) continue ;; esac
    [ -e "$out/$(basename "$committed")" ] || { echo "$committed has no source" >&2; status=1; }
  done
  exit $status
fi
