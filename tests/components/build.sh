#!/usr/bin/env bash
# Rebuilds prebuilt wasi 0.2 C guests: by default the test guests,
# src/*.c -> bin/*.wasm, each a component of the wasi:cli/command world that
# calls wasi 0.2 directly through bindings generated from wit/. As with
# tests/guests, the binaries are committed so that `cargo test` needs no C
# toolchain; `--check` rebuilds into a scratch directory and fails if any
# committed binary differs from what its source builds to.
#
#   build.sh [--check] [--root DIR] [--src SUBDIR] [--out SUBDIR] [--only NAME]
#
# --only NAME rebuilds src/NAME.c alone (not with --check).
#
# As in tests/guests/build.sh, ROOT (default: this script's directory) is
# where the guests live, and SUBDIR paths are relative to it (defaults: src
# and bin). The benchmark's guest uses this:
# `build.sh --root benches/guest/p2 --src . --out .`.
#
# Needs clang, wasm-ld and wasi-libc for wasm32-wasi, plus the pinned
# wit-bindgen and wasm-tools below (see README.md for how to install them).
# Both stamp their version into the output, so another version gives other
# bytes; WIT_BINDGEN and WASM_TOOLS may name the executables.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
wit_bindgen=${WIT_BINDGEN:-wit-bindgen}
wasm_tools=${WASM_TOOLS:-wasm-tools}
want_wit_bindgen="wit-bindgen-cli 0.63.0"
want_wasm_tools="wasm-tools 1.262.0"

root="$here"
src=src
bin=bin
check=0
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --root) root=$(cd "$2" && pwd); shift ;;
    --src) src=$2; shift ;;
    --out) bin=$2; shift ;;
    --only) only=$2; shift ;;
    *) echo "usage: $0 [--check] [--root DIR] [--src SUBDIR] [--out SUBDIR] [--only NAME]" >&2; exit 2 ;;
  esac
  shift
done
if [ "$check" = 1 ] && [ -n "$only" ]; then
  echo "--only rebuilds one guest; --check checks them all" >&2
  exit 2
fi
# The command that rebuilds what a failed --check reports.
rebuild=${here#"$repo"/}/build.sh
[ "$root" = "$here" ] && [ "$src" = src ] && [ "$bin" = bin ] ||
  rebuild="$rebuild --root ${root#"$repo"/} --src $src --out $bin"

have=$("$wit_bindgen" --version)
[ "$have" = "$want_wit_bindgen" ] || { echo "need $want_wit_bindgen, found: $have" >&2; exit 1; }
have=$("$wasm_tools" --version)
[ "${have%% (*}" = "$want_wasm_tools" ] || { echo "need $want_wasm_tools, found: $have" >&2; exit 1; }

src=$(cd "$root/$src" && pwd)
bin=$(cd "$root/$bin" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
out="$bin"
if [ "$check" = 1 ]; then
  out="$scratch/out"
  mkdir "$out"
fi

# C bindings for the command world: command.h, command.c, and
# command_component_type.o, which carries the world into the core module.
gen="$scratch/gen"
if ! "$wit_bindgen" c "$repo/wit" --world capwasi:host/command --out-dir "$gen" >"$scratch/wit-bindgen.log" 2>&1; then
  cat "$scratch/wit-bindgen.log" >&2
  exit 1
fi

# The guest exports wasi:cli/run itself, so there is no main and no crt1:
# -nostartfiles and --no-entry. wasi-libc still supplies malloc and memcpy.
# -ffile-prefix-map keeps host paths out of the binaries so they are reproducible.
cflags=(--target=wasm32-wasi -O2 -Wall -Werror -s -nostartfiles -Wl,--no-entry
        "-ffile-prefix-map=$root=." "-ffile-prefix-map=$gen=.")
for c in "$src"/*.c; do
  name=$(basename "$c" .c)
  [ -z "$only" ] || [ "$name" = "$only" ] || continue
  core="$scratch/$name.core.wasm"
  clang "${cflags[@]}" -I"$gen" -I"$src" -o "$core" "$c" "$gen/command.c" "$gen/command_component_type.o"
  # Anything in wasi-libc that does I/O (stdio, files, environ) reaches for
  # preview1; these guests must use the wasi 0.2 bindings instead.
  if "$wasm_tools" print "$core" | grep -q '(import "wasi_snapshot_preview1"'; then
    echo "${c#"$repo"/} imports wasi_snapshot_preview1; call wasi 0.2 through command.h instead" >&2
    exit 1
  fi
  "$wasm_tools" component new "$core" -o "$out/$name.wasm"
  "$wasm_tools" validate "$out/$name.wasm"
done

if [ "$check" = 1 ]; then
  status=0
  for built in "$out"/*.wasm; do
    name=$(basename "$built")
    if ! cmp -s "$built" "$bin/$name"; then
      echo "${bin#"$repo"/}/$name does not match its source; run $rebuild" >&2
      status=1
    fi
  done
  for committed in "$bin"/*.wasm; do
    [ -e "$out/$(basename "$committed")" ] || { echo "$committed has no source" >&2; status=1; }
  done
  exit $status
fi
