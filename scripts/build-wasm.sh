#!/usr/bin/env bash
# Builds crates/codec for WebAssembly into packages/cttimeout/wasm/ (wasm-pack, target web),
# with the toolchain bootstrap.sh prepared. Build output, never committed.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
cd "$root"
tc=$(wasm_toolchain)
# A toolchain other than the host's gets its own target dir: sharing one would rebuild the
# host-side proc macros back and forth between the two compilers.
export CARGO_TARGET_DIR="$root/target/${tc:-wasm}"
RUSTUP_TOOLCHAIN=${tc:-${RUSTUP_TOOLCHAIN:-}} wasm-pack --quiet --log-level warn build crates/codec \
  --target web --release --no-pack \
  --out-dir ../../packages/cttimeout/wasm --out-name cttimeout_codec
echo "wasm: $(stat -c %s packages/cttimeout/wasm/cttimeout_codec_bg.wasm) bytes"
