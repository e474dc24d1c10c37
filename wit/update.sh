#!/usr/bin/env bash
# Replaces wit/deps with the wasi 0.2 packages a crate on crates.io ships.
#
#   wit/update.sh VERSION [CRATE]
#
# CRATE defaults to wasip2, whose versions read like 2.0.1+wasi-0.2.12; its
# wit/deps holds one file per package. wasmtime-wasi (wit under src/p2/wit/deps)
# works as well. The crate is fetched by cargo into a scratch project, so the
# only network access is to the registry cargo is configured for. Afterwards,
# bump the @0.2.x versions in wit/capwasi.wit and the expected version in
# tests/wit.rs, then run `cargo test --test wit`.
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 VERSION [CRATE]" >&2; exit 2; }
version=$1
crate=${2:-wasip2}
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/probe/src"
touch "$scratch/probe/src/lib.rs"
cat > "$scratch/probe/Cargo.toml" <<TOML
[package]
name = "wit-probe"
version = "0.0.0"
edition = "2021"

[dependencies]
$crate = "=$version"
TOML
cargo fetch --quiet --manifest-path "$scratch/probe/Cargo.toml"

# cargo fetch leaves the .crate archive in the registry cache; unpack our own copy.
cache="${CARGO_HOME:-$HOME/.cargo}/registry/cache"
archive=$(find "$cache" -name "$crate-$version.crate" -print -quit)
[ -n "$archive" ] || { echo "$crate $version was not found under $cache" >&2; exit 1; }
tar -xzf "$archive" -C "$scratch"
root="$scratch/$crate-$version"
deps=""
for candidate in "$root/wit/deps" "$root/src/p2/wit/deps"; do
  [ -d "$candidate" ] && { deps=$candidate; break; }
done
[ -n "$deps" ] || { echo "$crate $version has no wit/deps" >&2; exit 1; }

rm -rf "$here/deps"
mkdir -p "$here/deps"
for pkg in cli clocks filesystem io random sockets; do
  mkdir -p "$here/deps/$pkg"
  if [ -d "$deps/$pkg" ]; then
    cp "$deps/$pkg"/*.wit "$here/deps/$pkg/"
  elif [ -f "$deps/$pkg.wit" ]; then
    cp "$deps/$pkg.wit" "$here/deps/$pkg/$pkg.wit"
  else
    echo "$crate $version has no wasi:$pkg package" >&2
    exit 1
  fi
done
grep -h '^package ' "$here"/deps/*/*.wit
