#!/usr/bin/env bash
# Runs every test: the Rust crates (host), then the whole vitest suite (codec through WASM,
# transport and client against the real kernel in private network namespaces, CLI against
# nfct, browser tests in headless Chromium, packaging). Run after build.sh.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
cd "$root"
echo "cargo fmt, clippy, test:"
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo test --workspace --quiet
echo "vitest:"
npx vitest run
