#!/usr/bin/env bash
# Installs what building and testing cttimeout needs on a fresh machine of this project's kind
# (Debian 12, root; rustup stable for the host only, without wasm32; Node 20; registries
# npm, crates.io, Debian and PyPI reachable, nothing else), and does nothing, quickly, when
# everything is there. Each step prints one line with its duration and what it did or why it
# skipped; something that cannot be had stops the script with what is missing and what was
# tried. See README "Set-up" and shared/TOOLCHAIN.md for the facts behind each step.
#
#   a. Debian packages (only the missing ones)
#   b. a wasm32-unknown-unknown standard library: the active rustup toolchain's when it has
#      one, otherwise built once from Debian's rustc-web std sources and linked as the rustup
#      toolchain `debian-web` (rebuilt when /usr/bin/rustc changes)
#   c. wasm-bindgen-cli, exactly the version of the wasm-bindgen crate in Cargo.lock
#   d. wasm-pack
#   e. npm dependencies (`npm ci` when node_modules is missing or package-lock.json changed)
#   f.-i. zig, cargo-zigbuild, std for the other targets, other Node versions (cross-setup.sh)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$root"
mkdir -p "$cache"

# One set-up at a time on a machine (two checkouts or two terminals would otherwise build the
# same sysroot or run `npm ci` in the same tree at once).
if [[ ${BASH_SOURCE[0]} == "$0" ]] && command -v flock >/dev/null; then
  exec 9>"$cache/bootstrap.lock"
  if ! flock -n 9; then
    echo "waiting for another scripts/bootstrap.sh to finish ($cache/bootstrap.lock)"
    flock 9
  fi
fi

# ---------------------------------------------------------------------------------------------
# a. Debian packages
# Build: Debian's rustc-web + cargo-web + the std sources (wasm32 std, step b), lld-22 (the
# rust-lld rustc-web links wasm with; plain `lld` is the fallback), pkg-config and gcc (the C
# comparison programs). Test peers: the C library and nfct, iptables (busy policies), strace
# and tshark (captures), chromium (browser tests), netbase (/etc/protocols, which nfct reads),
# iproute2 (`ip netns`), util-linux (unshare, nsenter, flock); systemd (systemd-analyze verify of
# the boot unit), man-db and groff-base (the man page renders without warnings), nftables (README:
# its own "ct timeout" objects are not these policies), zsh and fish (completion scripts load).
# Other platforms (scripts/cross-setup.sh): qemu-user with arm64 glibc/libstdc++ to run the
# arm64 Node, musl for its loader (the x64 musl addon is checked against it).
PACKAGES=(rustc-web cargo-web rust-web-src pkg-config gcc
  nfct iptables strace tshark chromium libnetfilter-cttimeout-dev libmnl-dev netbase iproute2 util-linux
  systemd man-db groff-base nftables zsh fish
  qemu-user libc6-arm64-cross libstdc++6-arm64-cross musl)
APT_LOG=$cache/apt.log

installed() { # prints which of the given packages are installed
  { dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "$@" 2>/dev/null || true; } | awk '$2 == "ii" { print $1 }'
}
has_candidate() {
  apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [0-9]'
}

apt_packages() {
  local have missing=() p
  have=" $(installed "${PACKAGES[@]}" lld-22 lld | tr '\n' ' ') "
  for p in "${PACKAGES[@]}"; do
    [[ $have == *" $p "* ]] || missing+=("$p")
  done
  # lld-22 (bookworm-security) is preferred; an installed `lld` (wasm-ld 14) also links.
  [[ $have == *" lld-22 "* || $have == *" lld "* ]] || missing+=(lld-22)
  if ((${#missing[@]} == 0)); then
    echo "all ${#PACKAGES[@]} + lld present"
    return
  fi
  note "missing: ${missing[*]}"
  [[ $(id -u) == 0 ]] || die "missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get install ${missing[*]})"
  command -v apt-get >/dev/null || die "missing Debian packages: ${missing[*]}, and there is no apt-get on this machine"
  export DEBIAN_FRONTEND=noninteractive
  # tshark's "should non-superusers capture packets?" question must not wait for an answer.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  local apt_opts=(-y -q --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
  : >"$APT_LOG"
  # `apt-get update` only when needed: a package has no candidate, or the install fails (stale
  # lists after a point release).
  local want=("${missing[@]}") updated=0 nocand=() tried=()
  update() {
    note "apt-get update ($1)"
    tried+=("apt-get update")
    apt-get update -q >>"$APT_LOG" 2>&1 || die "apt-get update failed (log: $APT_LOG)"
    updated=1
    if [[ " ${want[*]} " == *" lld-22 "* ]] && ! has_candidate lld-22; then
      note "lld-22 has no candidate (it comes from bookworm-security): using lld (wasm-ld) instead"
      want=("${want[@]/#lld-22/lld}")
    fi
  }
  install() {
    note "apt-get install ${want[*]}"
    tried+=("apt-get install ${want[*]}")
    apt-get install "${apt_opts[@]}" "${want[@]}" >>"$APT_LOG" 2>&1
  }
  for p in "${want[@]}"; do has_candidate "$p" || nocand+=("$p"); done
  ((${#nocand[@]} == 0)) || update "no candidate for ${nocand[*]}"
  if ! install && ! { ((updated == 0)) && update "the install failed" && install; }; then
    nocand=()
    for p in "${want[@]}"; do has_candidate "$p" || nocand+=("$p"); done
    tail -n 15 "$APT_LOG"
    die "could not install Debian packages: ${want[*]}${nocand[*]:+ (no apt candidate: ${nocand[*]})}; tried: $(printf '%s; ' "${tried[@]}")log: $APT_LOG"
  fi
  have=" $(installed "${want[@]}" | tr '\n' ' ') "
  for p in "${want[@]}"; do
    [[ $have == *" $p "* ]] || die "apt-get reported success but $p is not installed (log: $APT_LOG)"
  done
  echo "installed ${want[*]}"
}

# ---------------------------------------------------------------------------------------------
# b. A wasm32-unknown-unknown standard library.
# Debian's rustc-web ships std's sources with std's own dependencies vendored
# (/usr/src/rustc-<ver>/library/vendor), so std builds for wasm32 offline with -Zbuild-std in a
# throw-away project; the rlibs are then installed as a normal sysroot next to Debian's
# x86_64 one and /usr is linked as the rustup toolchain `debian-web`. rlibs only load in the
# rustc that built them, hence the stamp with `rustc --version`.
#
# CTTIMEOUT_WASM_SYSROOT=DIR builds into DIR/lib/rustlib/... instead of /usr and links nothing
# (to try the recipe without touching the machine's toolchain).
rustc_web=/usr/bin/rustc

# The linker rustc-web needs for wasm32: its default rust-lld (lld-22), else wasm-ld from lld.
# Prints "" when the default works, else the linker to pass, and fails when there is none.
wasm_linker() {
  local l
  if command -v rust-lld >/dev/null; then echo ""; return; fi
  for l in wasm-ld /usr/lib/llvm-*/bin/wasm-ld; do
    if command -v "$l" >/dev/null; then command -v "$l"; return; fi
  done
  return 1
}

# build_std WORK CRATE_TYPE RUSTFLAGS TARGET...: builds Debian rustc-web's std for TARGETs
# offline (-Zbuild-std in a throw-away project whose crates-io is std's vendored sources) into
# WORK/probe/target/<target>/release/deps. Also used by scripts/cross-setup.sh (other CPUs/libcs).
build_std() {
  local work=$1 crate_type=$2 rustflags=$3 version num src t targets=()
  shift 3
  for t in "$@"; do targets+=(--target "$t"); done
  version=$("$rustc_web" --version) || die "$rustc_web --version failed"
  num=$(awk '{print $2}' <<<"$version")
  src=/usr/src/rustc-$num/library
  if [[ ! -d $src/vendor || ! -f $src/Cargo.lock ]]; then
    die "the std sources for $version are missing: expected $src/vendor and $src/Cargo.lock (Debian package rust-web-src, same version as rustc-web); found: $(echo /usr/src/rustc-*)"
  fi
  rm -rf "$work"
  mkdir -p "$work/probe/src" "$work/probe/.cargo"
  cp -r "$src/vendor" "$work/vendor"
  # Cargo's directory sources want one .cargo-checksum.json per crate: the package checksum
  # from std's Cargo.lock and no per-file sums (Debian's own files list patched files).
  # shellcheck disable=SC2016 # JavaScript template literals
  node -e '
    const fs = require("fs"), path = require("path");
    const [lock, vendor] = process.argv.slice(1);
    const sums = new Map();
    for (const block of fs.readFileSync(lock, "utf8").split("[[package]]")) {
      const get = (k) => block.match(new RegExp(`^${k} = "([^"]+)"`, "m"))?.[1];
      if (get("checksum")) sums.set(`${get("name")}@${get("version")}`, get("checksum"));
    }
    let n = 0;
    for (const d of fs.readdirSync(vendor)) {
      const toml = fs.readFileSync(path.join(vendor, d, "Cargo.toml"), "utf8");
      const pkg = toml.slice(toml.search(/^\[package\]/m)).split(/^\[(?!package\])/m)[0];
      const get = (k) => pkg.match(new RegExp(`^${k} = "([^"]+)"`, "m"))?.[1];
      const sum = sums.get(`${get("name")}@${get("version")}`) ?? null;
      fs.writeFileSync(path.join(vendor, d, ".cargo-checksum.json"), JSON.stringify({ files: {}, package: sum }));
      n++;
    }
    console.log(`checksums for ${n} vendored crates`);
  ' "$src/Cargo.lock" "$work/vendor"
  printf '[package]\nname = "sysroot-probe"\nversion = "0.0.0"\nedition = "2021"\n[lib]\ncrate-type = ["%s"]\n' "$crate_type" >"$work/probe/Cargo.toml"
  echo 'pub fn probe() {}' >"$work/probe/src/lib.rs"
  printf '[source.crates-io]\nreplace-with = "vendored"\n[source.vendored]\ndirectory = "%s/vendor"\n' "$work" >"$work/probe/.cargo/config.toml"
  (
    cd "$work/probe"
    unset CARGO_TARGET_DIR CARGO_BUILD_TARGET CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS RUSTUP_TOOLCHAIN
    RUSTC=$rustc_web RUSTC_BOOTSTRAP=1 RUSTFLAGS=$rustflags \
      /usr/bin/cargo build --release "${targets[@]}" -Zbuild-std=std,panic_abort \
      >"$work.log" 2>&1
  ) || {
    tail -n 20 "$work.log"
    die "building std for $* with $version failed (RUSTC=$rustc_web RUSTC_BOOTSTRAP=1 /usr/bin/cargo build -Zbuild-std=std,panic_abort in $work/probe; log: $work.log)"
  }
}

# install_std DEPS LIB: installs the rlibs build_std left in DEPS into the sysroot folder LIB,
# file by file with a rename each, then drops rlibs of an older build: a build running
# meanwhile sees a complete std throughout.
install_std() {
  local deps=$1 lib=$2 f keep=" "
  mkdir -p "$lib"
  for f in "$deps"/*.rlib; do
    [[ $(basename "$f") == libsysroot_probe* ]] && continue
    cp "$f" "$lib/.$(basename "$f").tmp"
    mv -f "$lib/.$(basename "$f").tmp" "$lib/$(basename "$f")"
    keep+="$(basename "$f") "
  done
  for f in "$lib"/*.rlib; do
    [[ $keep == *" $(basename "$f") "* ]] || rm -f "$f"
  done
}

wasm_sysroot() {
  local active
  active=$(rustup show active-toolchain 2>/dev/null | awk '{print $1}')
  if [[ -z ${CTTIMEOUT_WASM_SYSROOT:-} && -z $(wasm_toolchain) ]]; then
    echo "active toolchain ${active:-?} has wasm32-unknown-unknown: using it"
    return
  fi
  [[ -x $rustc_web ]] || die "Debian's rustc-web is not installed ($rustc_web missing; step a installs rustc-web)"
  local version num sysroot lib stamp linker
  version=$("$rustc_web" --version) || die "$rustc_web --version failed"
  num=$(awk '{print $2}' <<<"$version")
  sysroot=${CTTIMEOUT_WASM_SYSROOT:-$("$rustc_web" --print sysroot)}
  lib=$sysroot/lib/rustlib/wasm32-unknown-unknown/lib
  stamp=$sysroot/lib/rustlib/wasm32-unknown-unknown/.cttimeout-built-with
  linker=$(wasm_linker) || die "no wasm32 linker: neither rust-lld (Debian package lld-22) nor wasm-ld (package lld) is on PATH"
  if [[ -f $stamp && $(<"$stamp") == "$version" ]] && compgen -G "$lib/libstd-*.rlib" >/dev/null; then
    if [[ -n ${CTTIMEOUT_WASM_SYSROOT:-} ]] || rustup toolchain list -v 2>/dev/null | grep -q "^$WASM_TOOLCHAIN_FALLBACK .*$sysroot\$"; then
      echo "${active:-rustup} has no wasm32 std; $WASM_TOOLCHAIN_FALLBACK ($num) has it"
      return
    fi
    rustup toolchain link "$WASM_TOOLCHAIN_FALLBACK" "$sysroot" >/dev/null
    echo "linked $sysroot as rustup toolchain $WASM_TOOLCHAIN_FALLBACK ($num)"
    return
  fi

  note "building std for wasm32-unknown-unknown with rustc-web $num from /usr/src/rustc-$num (about a minute on 2 cores)"
  local work=$cache/wasm-sysroot rustflags=""
  [[ -z $linker ]] || rustflags="-C linker=$linker"
  build_std "$work" cdylib "$rustflags" wasm32-unknown-unknown
  install_std "$work/probe/target/wasm32-unknown-unknown/release/deps" "$lib"
  # Check it: a cdylib using std's allocator, built without build-std, run in Node.
  local flags=(--edition 2021 --crate-type cdylib -O --target wasm32-unknown-unknown)
  [[ -z ${CTTIMEOUT_WASM_SYSROOT:-} ]] || flags+=(--sysroot "$sysroot")
  [[ -z $linker ]] || flags+=(-C "linker=$linker")
  echo '#[no_mangle] pub extern "C" fn probe(n: u32) -> u32 { (0..n).collect::<Vec<u32>>().iter().sum() }' >"$work/check.rs"
  "$rustc_web" "${flags[@]}" -o "$work/check.wasm" "$work/check.rs" ||
    die "the new wasm32 std in $lib does not work: $rustc_web ${flags[*]} failed"
  node -e '
    const m = new WebAssembly.Instance(new WebAssembly.Module(require("fs").readFileSync(process.argv[1])));
    if (m.exports.probe(10) !== 45) { console.error("probe(10) !== 45"); process.exit(1); }
  ' "$work/check.wasm" || die "a wasm32 cdylib built with the new std does not run in Node"
  echo "$version" >"$stamp"
  local n
  n=$(find "$lib" -name '*.rlib' | wc -l)
  rm -rf "$work"
  if [[ -n ${CTTIMEOUT_WASM_SYSROOT:-} ]]; then
    echo "built wasm32 std ($n rlibs) for $num into $lib"
    return
  fi
  rustup toolchain link "$WASM_TOOLCHAIN_FALLBACK" "$sysroot" >/dev/null
  echo "built wasm32 std ($n rlibs) for rustc-web $num, linked $sysroot as $WASM_TOOLCHAIN_FALLBACK"
}

# ---------------------------------------------------------------------------------------------
# c. wasm-bindgen-cli, exactly the wasm-bindgen crate's version in Cargo.lock. Built with the
# host toolchain from crates.io; `--locked` first, and without it when its lockfile pins a
# crate version the registry does not have (seen: webpki-roots 1.0.11 for 0.2.130).
cargo_install() { # cargo_install LOGNAME CRATE [ARGS...]
  local log=$cache/$1.log crate=$2
  shift 2
  note "cargo install $crate${*:+ $*} --locked (a few minutes on 2 cores)"
  if (cd "$cache" && cargo install "$crate" "$@" --locked) >"$log" 2>&1; then
    echo "--locked"
    return
  fi
  note "with --locked it failed: $(grep -m1 -E '^error' "$log" || tail -n 1 "$log")"
  note "retrying without --locked (newest semver-compatible dependencies)"
  if (cd "$cache" && cargo install "$crate" "$@") >>"$log" 2>&1; then
    echo "without --locked"
    return
  fi
  tail -n 15 "$log" >&2
  die "cannot install $crate${*:+ $*} from crates.io: tried cargo install with --locked and without (log: $log)"
}

wasm_bindgen_cli() {
  local want have how
  want=$(wasm_bindgen_version)
  [[ -n $want ]] || die "no wasm-bindgen package in Cargo.lock"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}') || true
  if [[ $have == "$want" ]]; then
    echo "wasm-bindgen $want (matches Cargo.lock)"
    return
  fi
  [[ -z $have ]] || note "wasm-bindgen $have does not match Cargo.lock's $want"
  how=$(cargo_install wasm-bindgen-cli wasm-bindgen-cli --version "=$want" | tail -n 1)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}') || true
  [[ $have == "$want" ]] || die "installed wasm-bindgen-cli $want but \`wasm-bindgen --version\` says '${have}' (PATH: $PATH)"
  echo "installed wasm-bindgen $want ($how)"
}

# A tool from crates.io: its version when it runs, otherwise installed (cargo_install) first.
cargo_tool() { # cargo_tool BIN CRATE
  local bin=$1 crate=$2 how
  if command -v "$bin" >/dev/null && "$bin" --version >/dev/null 2>&1; then
    "$bin" --version
    return
  fi
  how=$(cargo_install "$crate" "$crate" | tail -n 1)
  echo "installed $("$bin" --version) ($how)"
}

# d. wasm-pack (it finds the matching wasm-bindgen on PATH and downloads nothing).
wasm_pack() { cargo_tool wasm-pack wasm-pack; }

# ---------------------------------------------------------------------------------------------
# e. npm dependencies: `npm ci` when node_modules is missing or does not hold what
# package-lock.json lists. Fast path: the lockfile's sha256 from the last check; otherwise
# every package entry of package-lock.json is compared with npm's record of what it installed
# (node_modules/.package-lock.json), so a developer's own `npm install` does not cause a
# needless reinstall.
npm_deps() {
  local sum stamp=$stamps/npm-ci.sha256 diff
  sum=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [[ -f node_modules/.package-lock.json ]]; then
    if [[ -f $stamp && $(<"$stamp") == "$sum" ]]; then
      echo "node_modules matches package-lock.json"
      return
    fi
    # shellcheck disable=SC2016 # JavaScript template literals
    diff=$(node -e '
      const lock = require(process.argv[1] + "/package-lock.json").packages;
      const have = require(process.argv[1] + "/node_modules/.package-lock.json").packages;
      const same = (a, b) => a.version === b.version && a.resolved === b.resolved && a.link === b.link;
      for (const [k, v] of Object.entries(lock)) {
        if (k === "") continue;
        if (!have[k]) { if (!v.optional) { console.log(`${k} is not installed`); process.exit(); } }
        else if (!same(v, have[k])) { console.log(`${k}: ${have[k].version ?? have[k].resolved} installed, ${v.version ?? v.resolved} locked`); process.exit(); }
      }
      for (const k of Object.keys(have)) if (!lock[k]) { console.log(`${k} is installed but not locked`); process.exit(); }
    ' "$root" 2>&1) || diff="node_modules/.package-lock.json unreadable"
    if [[ -z $diff ]]; then
      mkdir -p "$stamps" && echo "$sum" >"$stamp"
      echo "node_modules matches package-lock.json (checked package by package)"
      return
    fi
    note "node_modules differs from package-lock.json: $diff"
  fi
  note "npm ci"
  npm ci --no-audit --no-fund --loglevel=error >"$cache/npm-ci.log" 2>&1 || {
    tail -n 15 "$cache/npm-ci.log"
    die "npm ci failed (log: $cache/npm-ci.log)"
  }
  mkdir -p "$stamps" && echo "$sum" >"$stamp"
  echo "npm ci: $(node -p 'Object.keys(require("./node_modules/.package-lock.json").packages).length') packages"
}

main() {
  local t_start t_end
  t_start=$(date +%s%N)
  echo "cttimeout set-up:"
  step "Debian packages" apt_packages
  { command -v cargo && command -v rustup; } >/dev/null ||
    die "cargo/rustup are missing (looked in PATH and ${CARGO_HOME:-$HOME/.cargo}/bin): install Rust with rustup (https://rustup.rs)"
  { command -v node && command -v npm; } >/dev/null || die "node and npm are missing: install Node >= 20.17"
  step "wasm32 standard library" wasm_sysroot
  step "wasm-bindgen-cli" wasm_bindgen_cli
  step "wasm-pack" wasm_pack
  step "npm dependencies" npm_deps
  # f.-i.: cross toolchains and other Node versions
  # shellcheck source-path=SCRIPTDIR source=cross-setup.sh
  source "$root/scripts/cross-setup.sh"
  cross_main
  t_end=$(date +%s%N)
  printf '  %-26s %6ss\n' "set-up total" "$(fmt_secs $((t_end - t_start)))"
}

# Sourced (to try one step): define the functions only.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
