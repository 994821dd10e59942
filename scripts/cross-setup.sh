#!/usr/bin/env bash
# Set-up for the other platforms (README "Platforms"): what scripts/cross-build.sh needs to build
# the addon for linux-{x64,arm64}-{gnu,musl}, and the other Node versions scripts/test.sh runs
# the suite on. bootstrap.sh runs these steps; run this file alone to redo only them. Quick and
# silent when everything is there; everything is cached machine-wide in $cache.
#
#   f. zig (PyPI's `ziglang` wheel, unpacked into $cache): the cross linker, with glibc stubs
#      of any version (so the gnu addons need only GLIBC_2.28) and musl's libc
#   g. cargo-zigbuild (crates.io): runs cargo with zig as each target's linker
#   h. the Rust standard library for the targets the active toolchain lacks: built once from
#      Debian's rustc-web sources into its sysroot (the `debian-web` toolchain), as for wasm32
#   i. Node 22, 24, 26 for x64 and Node 24 for arm64 (npm's node-linux-* packages)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=bootstrap.sh
declare -F build_std >/dev/null || source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

ZIG_VERSION=0.14.1
# The targets and their platform package names (napi-rs's): rust-target=npm-suffix.
CROSS_TARGETS=(x86_64-unknown-linux-gnu=linux-x64-gnu aarch64-unknown-linux-gnu=linux-arm64-gnu
  x86_64-unknown-linux-musl=linux-x64-musl aarch64-unknown-linux-musl=linux-arm64-musl)
# Extra Nodes for the tests: ARCH@MAJOR (the machine's own Node is the fourth x64 run).
EXTRA_NODES=(x64@22 x64@24 x64@26 arm64@24)

zig_bin() { echo "$cache/zig-$ZIG_VERSION/ziglang/zig"; }

# node_bin ARCH MAJOR: where i. puts that Node.
node_bin() { echo "$cache/node/linux-$1-$2/node_modules/node-linux-$1/bin/node"; }

# cross_toolchain TARGET: "" when the active rustup toolchain has TARGET's std (a developer
# laptop with `rustup target add`), else the Debian toolchain step h fills in.
cross_toolchain() {
  local sysroot
  sysroot=$(cd "$root" && rustc --print sysroot 2>/dev/null) || true
  if [[ -n $sysroot ]] && compgen -G "$sysroot/lib/rustlib/$1/lib/libstd-*.rlib" >/dev/null; then
    echo ""
  else
    echo "$WASM_TOOLCHAIN_FALLBACK"
  fi
}

cross_zig() {
  local zig have
  zig=$(zig_bin)
  have=$("$zig" version 2>/dev/null) || true
  if [[ $have == "$ZIG_VERSION" ]]; then
    echo "zig $have ($zig)"
    return
  fi
  command -v python3 >/dev/null || die "python3 is needed to fetch zig from PyPI (Debian: apt-get install python3 python3-pip)"
  python3 -m pip --version >/dev/null 2>&1 || die "pip is needed to fetch zig from PyPI (Debian: apt-get install python3-pip)"
  note "pip download ziglang==$ZIG_VERSION (about 80 MB)"
  local tmp=$cache/zig-download
  rm -rf "$tmp"
  mkdir -p "$tmp"
  python3 -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$tmp" "ziglang==$ZIG_VERSION" >"$cache/zig.log" 2>&1 || {
    tail -n 5 "$cache/zig.log"
    die "cannot download ziglang==$ZIG_VERSION from PyPI (log: $cache/zig.log)"
  }
  # A wheel is a zip; ziglang's holds the whole zig distribution under ziglang/.
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$tmp"/ziglang-*.whl "$tmp/x"
  chmod +x "$tmp/x/ziglang/zig"
  rm -rf "$cache/zig-$ZIG_VERSION"
  mkdir -p "$cache/zig-$ZIG_VERSION"
  mv "$tmp/x/ziglang" "$cache/zig-$ZIG_VERSION/"
  rm -rf "$tmp"
  have=$("$zig" version) || die "the unpacked zig does not run: $zig"
  echo "installed zig $have ($zig)"
}

cross_zigbuild() { cargo_tool cargo-zigbuild cargo-zigbuild; }

cross_std() {
  local pair t missing=() version sysroot stamp
  for pair in "${CROSS_TARGETS[@]}"; do
    t=${pair%%=*}
    [[ -z $(cross_toolchain "$t") ]] && continue
    missing+=("$t")
  done
  if ((${#missing[@]} == 0)); then
    echo "the active toolchain has std for all ${#CROSS_TARGETS[@]} targets"
    return
  fi
  [[ -x $rustc_web ]] || die "Debian's rustc-web is not installed ($rustc_web missing; step a installs rustc-web)"
  version=$("$rustc_web" --version)
  sysroot=$("$rustc_web" --print sysroot)
  local todo=()
  for t in "${missing[@]}"; do
    stamp=$sysroot/lib/rustlib/$t/.cttimeout-built-with
    if [[ $t == x86_64-unknown-linux-gnu ]]; then continue; fi # Debian's own host std
    if [[ -f $stamp && $(<"$stamp") == "$version" ]] && compgen -G "$sysroot/lib/rustlib/$t/lib/libstd-*.rlib" >/dev/null; then continue; fi
    todo+=("$t")
  done
  if ((${#todo[@]} == 0)); then
    echo "$WASM_TOOLCHAIN_FALLBACK has std for ${missing[*]}"
    return
  fi
  note "building std for ${todo[*]} with $(awk '{print $2}' <<<"$version") (a few minutes on 2 cores)"
  local work=$cache/cross-sysroot
  build_std "$work" rlib "" "${todo[@]}"
  for t in "${todo[@]}"; do
    install_std "$work/probe/target/$t/release/deps" "$sysroot/lib/rustlib/$t/lib"
    echo "$version" >"$sysroot/lib/rustlib/$t/.cttimeout-built-with"
  done
  rm -rf "$work"
  rustup toolchain list -v 2>/dev/null | grep -q "^$WASM_TOOLCHAIN_FALLBACK .*$sysroot\$" ||
    rustup toolchain link "$WASM_TOOLCHAIN_FALLBACK" "$sysroot" >/dev/null
  echo "built std for ${todo[*]} into $WASM_TOOLCHAIN_FALLBACK"
}

cross_nodes() {
  local spec arch major dir bin got=() fetched=()
  for spec in "${EXTRA_NODES[@]}"; do
    arch=${spec%@*} major=${spec#*@}
    bin=$(node_bin "$arch" "$major")
    if [[ ! -x $bin ]]; then
      dir=$cache/node/linux-$arch-$major
      note "npm install node-linux-$arch@$major into $dir"
      rm -rf "$dir"
      mkdir -p "$dir"
      echo '{"private":true}' >"$dir/package.json"
      # --force: the arm64 package says cpu: arm64, which is the point here.
      npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error --force "node-linux-$arch@$major" >"$cache/node-$arch-$major.log" 2>&1 || {
        tail -n 5 "$cache/node-$arch-$major.log"
        die "cannot install node-linux-$arch@$major from the npm registry (log: $cache/node-$arch-$major.log)"
      }
      [[ -x $bin ]] || die "node-linux-$arch@$major installed but $bin is missing"
      fetched+=("$spec")
    fi
    got+=("$spec=$(node -p 'require(process.argv[1]).version' "$(dirname "$bin")/../package.json")")
  done
  echo "${fetched[*]:+fetched ${fetched[*]}; }${got[*]}"
}

cross_main() {
  step "zig (PyPI ziglang)" cross_zig
  step "cargo-zigbuild" cross_zigbuild
  step "std for cross targets" cross_std
  step "other Node versions" cross_nodes
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  cd "$root"
  mkdir -p "$cache"
  cross_main
fi
