#!/usr/bin/env bash
# Rebuilds (or with --check, verifies) examples/guests/*.wasm from their C sources.
exec "$(dirname "$0")/../../tests/guests/build.sh" --root "$(dirname "$0")" --src . --out . "$@"
