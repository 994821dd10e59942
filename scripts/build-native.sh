#!/usr/bin/env bash
# Builds the netlink addon (crates/socket, napi-rs, release) into packages/cttimeout/native/,
# where packages/cttimeout/src/transport/native.ts loads it from. The .node file is build
# output and never committed. The declarations napi-rs generates ARE committed, as
# packages/cttimeout/src/transport/native.generated.ts, so the TS side type-checks against the
# real binding without Rust; this script regenerates them and fails under CI when stale.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "$(uname -s)" != Linux ]]; then
  echo "build-native: $(uname -s) has no netlink; skipping the addon (the codec still works)" >&2
  exit 0
fi

out=packages/cttimeout/native
committed=packages/cttimeout/src/transport/native.generated.ts
mkdir -p "$out"
npx napi build \
  --manifest-path crates/socket/Cargo.toml \
  --config-path crates/socket/napi.json \
  --platform --release --no-js \
  --dts cttimeout-socket.d.ts \
  --output-dir "$out"

if ! cmp -s "$out/cttimeout-socket.d.ts" "$committed"; then
  if [[ "${CI:-}" == true ]]; then
    echo "build-native: $committed is stale; run scripts/build-native.sh and commit it" >&2
    diff -u "$committed" "$out/cttimeout-socket.d.ts" >&2 || true
    exit 1
  fi
  cp "$out/cttimeout-socket.d.ts" "$committed"
  echo "build-native: updated $committed (commit it)" >&2
fi
ls "$out"/*.node
