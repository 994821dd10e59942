#!/usr/bin/env bash
# Builds the netlink addon (crates/socket) for every platform package in npm/: linux-x64-gnu,
# linux-arm64-gnu, linux-x64-musl and linux-arm64-musl, with cargo-zigbuild and zig as the
# linker (scripts/cross-setup.sh installs both). The gnu builds link against zig's glibc 2.28
# stubs, so they need nothing newer than GLIBC_2.28 (test/platforms/elf.test.ts checks); the
# musl ones link musl's libc dynamically (-crt-static: a cdylib cannot be static). Each .node
# goes to npm/<platform>/cttimeout-socket.<platform>.node (build output, never committed).
# Quick when nothing changed, and built once per machine: the .node files are kept in
# $cache/cross-out under a hash of everything that goes into them (crates/, Cargo.*, this
# script, the toolchains), so every checkout of the same sources reuses them; otherwise cargo
# is incremental, and an unchanged .node is not rewritten.
#
#   scripts/cross-build.sh [PLATFORM...]   (default: all four)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=cross-setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/cross-setup.sh"
cd "$root"

[[ $(uname -s) == Linux ]] || {
  echo "cross-build: $(uname -s) is not Linux; skipping the platform addons" >&2
  exit 0
}
zig=$(zig_bin)
[[ -x $zig ]] || die "cross-build: zig is missing ($zig): run scripts/bootstrap.sh"
command -v cargo-zigbuild >/dev/null || die "cross-build: cargo-zigbuild is missing: run scripts/bootstrap.sh"
export CARGO_ZIGBUILD_ZIG_PATH=$zig
# One machine-wide target dir for the cross builds (under the lock below): the dependencies
# (napi, libc, ...) compile once for every checkout, and the host build is not evicted.
export CARGO_TARGET_DIR=$cache/cross-target
# Four release builds after every change to crates/: thin-local LTO and 16 codegen units
# instead of the workspace's fat LTO with one unit, several times quicker on 2 cores (the
# addon is I/O glue; its speed is the kernel's and the codec's, unchanged at opt-level 3).
export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16

# The key of the inputs: source files of the addon and the codec, the lockfile, this script,
# the compilers and zig.
inputs_key() {
  {
    find crates -path crates/codec/fuzz -prune -o -path '*/target' -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum
    sha256sum Cargo.toml Cargo.lock "${BASH_SOURCE[0]}"
    rustc --version
    RUSTUP_TOOLCHAIN=$WASM_TOOLCHAIN_FALLBACK rustc --version 2>/dev/null || true
    "$zig" version
    cargo-zigbuild --version
  } | sha256sum | cut -c1-16
}
key=$(inputs_key)
store=$cache/cross-out/$key
# One cross build at a time on the machine: checkouts of the same sources then reuse its output.
exec 8>"$cache/cross-build.lock"
flock 8

want=("$@")
built=()
reused=()
for pair in "${CROSS_TARGETS[@]}"; do
  target=${pair%%=*} platform=${pair#*=}
  if ((${#want[@]})) && [[ " ${want[*]} " != *" $platform "* ]]; then continue; fi
  out=npm/$platform/cttimeout-socket.$platform.node
  if [[ -f $store/$platform.node ]]; then
    cmp -s "$store/$platform.node" "$out" || { cp "$store/$platform.node" "$out.tmp" && mv -f "$out.tmp" "$out"; }
    reused+=("$platform")
    continue
  fi
  spec=$target
  flags=()
  case $target in
    *-gnu) spec=$target.2.28 ;;
    *-musl) flags=(-C target-feature=-crt-static) ;;
  esac
  toolchain=$(cross_toolchain "$target")
  env_name=CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$target")_RUSTFLAGS
  log=$cache/cross-build-$platform.log
  if ! env ${toolchain:+RUSTUP_TOOLCHAIN=$toolchain} "$env_name=${flags[*]}" \
    cargo zigbuild --release --quiet -p cttimeout-socket --target "$spec" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "cross-build: building $platform ($spec${toolchain:+ with toolchain $toolchain}) failed (log: $log)"
  fi
  so=$CARGO_TARGET_DIR/$target/release/libcttimeout_socket.so
  if ! cmp -s "$so" "$out"; then
    cp "$so" "$out.tmp"
    mv -f "$out.tmp" "$out"
  fi
  mkdir -p "$store"
  cp "$so" "$store/.$platform.tmp" && mv -f "$store/.$platform.tmp" "$store/$platform.node"
  built+=("$platform")
done
# Outputs of sources older than a day go.
find "$cache/cross-out" -mindepth 1 -maxdepth 1 -type d -mmin +1440 -exec rm -rf {} + 2>/dev/null || true
echo "${built[*]:+built ${built[*]}}${built[*]:+${reused[*]:+; }}${reused[*]:+same sources built before: ${reused[*]}} -> npm/*/"
