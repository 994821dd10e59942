#!/usr/bin/env bash
# Installs what building and testing cttimeout needs on a fresh machine of this project's
# kind (Debian 12, root; rustup stable without wasm32; Node 20), and does nothing (quickly)
# when everything is there. Every step prints what it did and how long it took; a missing
# piece stops the script with its name. See README "Set-up" and ../shared/TOOLCHAIN.md.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
cd "$root"

# Debian packages: the wasm toolchain (Debian's rustc-web + std sources + lld), the C library
# and nfct for the comparison tests and benchmarks, iptables (busy policies), strace and
# tshark (captures), chromium (browser tests).
PACKAGES=(rustc-web cargo-web rust-web-src pkg-config gcc libnetfilter-cttimeout-dev libmnl-dev
  nfct iptables strace tshark chromium netbase iproute2 util-linux)

apt_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}" lld-22; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # lld-22 (bookworm-security) provides the rust-lld rustc-web expects; plain lld also works.
  if [[ " ${missing[*]} " == *" lld-22 "* ]] && dpkg-query -W -f='${Status}' lld 2>/dev/null | grep -q 'install ok installed'; then
    missing=("${missing[@]/lld-22/}")
  fi
  missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
  if ((${#missing[@]} == 0)); then
    echo "all present"
    return
  fi
  [[ $(id -u) == 0 ]] || die "missing Debian packages (run as root to install): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  local want=("${missing[@]}")
  if ! apt-get install -y -q --no-install-recommends "${want[@]}" >/tmp/cttimeout-apt.log 2>&1; then
    apt-get update -q >>/tmp/cttimeout-apt.log 2>&1 || true
    if [[ " ${want[*]} " == *" lld-22 "* ]] && ! apt-cache policy lld-22 | grep -q 'Candidate: [0-9]'; then
      want=("${want[@]/lld-22/lld}")
    fi
    apt-get install -y -q --no-install-recommends "${want[@]}" >>/tmp/cttimeout-apt.log 2>&1 ||
      die "apt-get could not install: ${want[*]} (log: /tmp/cttimeout-apt.log)"
  fi
  echo "installed ${want[*]}"
}

# A wasm32-unknown-unknown standard library for Debian's rustc-web, built once from the Debian
# std sources (offline: std's own dependencies are vendored there) and installed as a normal
# sysroot, then linked as the rustup toolchain `debian-web`. Rebuilt when rustc changes.
wasm_sysroot() {
  if [[ -z $(wasm_toolchain) ]]; then
    echo "rustup toolchain has wasm32-unknown-unknown"
    return
  fi
  local version lib stamp src work
  version=$(/usr/bin/rustc --version) || die "Debian rustc-web is not installed"
  lib=/usr/lib/rustlib/wasm32-unknown-unknown/lib
  stamp=/usr/lib/rustlib/wasm32-unknown-unknown/.cttimeout-built-with
  if [[ -f $stamp && $(cat "$stamp") == "$version" ]] && rustup toolchain list | grep -q '^debian-web'; then
    echo "debian-web: $version"
    return
  fi
  src=$(ls -d /usr/src/rustc-*/library 2>/dev/null | sort -V | tail -n 1)
  [[ -d $src/vendor ]] || die "rust-web-src is missing the std sources (/usr/src/rustc-*/library/vendor)"
  work=${XDG_CACHE_HOME:-$HOME/.cache}/cttimeout/wasm-sysroot
  rm -rf "$work"
  mkdir -p "$work/probe/src" "$work/probe/.cargo"
  cp -r "$src/vendor" "$work/vendor"
  # cargo's directory sources want a checksum file per crate: the package checksum from
  # std's Cargo.lock, no per-file sums.
  python3 - "$src/Cargo.lock" "$work/vendor" <<'PY'
import json, os, re, sys
lock, vendor = sys.argv[1], sys.argv[2]
sums = {}
for block in open(lock).read().split('[[package]]'):
    n, v, c = (re.search(rf'^{k} = "([^"]+)"', block, re.M) for k in ('name', 'version', 'checksum'))
    if n and v and c:
        sums[(n[1], v[1])] = c[1]
for d in os.listdir(vendor):
    toml = open(os.path.join(vendor, d, 'Cargo.toml')).read()
    key = (re.search(r'^name = "([^"]+)"', toml, re.M)[1], re.search(r'^version = "([^"]+)"', toml, re.M)[1])
    json.dump({'files': {}, 'package': sums.get(key)}, open(os.path.join(vendor, d, '.cargo-checksum.json'), 'w'))
PY
  printf '[package]\nname = "sysroot-probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["cdylib"]\n' >"$work/probe/Cargo.toml"
  echo 'pub fn probe() {}' >"$work/probe/src/lib.rs"
  printf '[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "%s/vendor"\n' "$work" >"$work/probe/.cargo/config.toml"
  # Debian's rustc-web links wasm with rust-lld (lld-22); with only lld installed, use wasm-ld.
  local linker=()
  command -v rust-lld >/dev/null || linker=(-C linker=wasm-ld)
  (cd "$work/probe" && RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="${linker[*]}" \
    /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort) ||
    die "building the wasm32 standard library failed"
  mkdir -p "$lib"
  rm -f "$lib"/*.rlib
  find "$work/probe/target/wasm32-unknown-unknown/release/deps" -name '*.rlib' ! -name 'libsysroot_probe*' -exec cp {} "$lib/" \;
  echo "$version" >"$stamp"
  rustup toolchain link debian-web /usr
  rm -rf "$work"
  echo "built for $version, linked as debian-web"
}

# wasm-bindgen-cli must be exactly the wasm-bindgen version in Cargo.lock. Its own lockfile
# pins crates this registry mirror may lack, so --locked is tried first, then without.
wasm_bindgen_cli() {
  local want have
  want=$(wasm_bindgen_version)
  [[ -n $want ]] || die "no wasm-bindgen in Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [[ $have == "$want" ]]; then
    echo "wasm-bindgen $want"
    return
  fi
  cargo install -q wasm-bindgen-cli --version "=$want" --locked 2>/dev/null ||
    cargo install -q wasm-bindgen-cli --version "=$want" ||
    die "cannot install wasm-bindgen-cli $want from crates.io"
  echo "installed wasm-bindgen $want"
}

wasm_pack() {
  if command -v wasm-pack >/dev/null; then
    echo "$(wasm-pack --version)"
    return
  fi
  cargo install -q wasm-pack --locked 2>/dev/null || cargo install -q wasm-pack || die "cannot install wasm-pack from crates.io"
  echo "installed $(wasm-pack --version)"
}

npm_deps() {
  if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    echo "node_modules up to date"
    return
  fi
  npm ci --no-audit --no-fund --loglevel=error >/tmp/cttimeout-npm.log 2>&1 || die "npm ci failed (log: /tmp/cttimeout-npm.log)"
  echo "npm ci done"
}

echo "cttimeout set-up:"
step "Debian packages" apt_packages
command -v cargo >/dev/null || die "cargo (rustup) is missing: install Rust from rustup.rs"
step "wasm32 standard library" wasm_sysroot
step "wasm-bindgen-cli" wasm_bindgen_cli
step "wasm-pack" wasm_pack
step "npm dependencies" npm_deps
