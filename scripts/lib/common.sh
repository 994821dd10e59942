# Shared by the set-up, build and test scripts. Source it; it sets `root`, `cache` and helpers.
# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Machine-wide cache (outlives `npm ci` and clean clones): the wasm32 std build area, logs, lock.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/cttimeout
# Per-checkout stamps (gitignored; removed with node_modules, which is what they describe).
stamps=$root/node_modules/.cache/cttimeout
# Where rustup's proxies and `cargo install` put binaries (wasm-bindgen, wasm-pack).
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# step NAME FUNCTION [ARGS]: runs a step, then prints one line: name, duration, and the last
# line the step printed on stdout (what it did or why it skipped). Steps print progress for
# long work with `note` (shown at once). On failure everything the step printed is shown and
# the script stops.
step() {
  local name=$1 t0 t1 out rc=0
  shift
  out=$(mktemp)
  t0=$(date +%s%N)
  # A subshell with its own errexit: in `f || ...` bash would ignore set -e inside f.
  set +e
  (
    set -e
    "$@"
  ) 3>&1 >"$out" 2>&1
  rc=$?
  set -e
  t1=$(date +%s%N)
  local secs
  secs=$(fmt_secs $((t1 - t0)))
  if ((rc != 0)); then
    printf '  %-26s %6ss  FAILED\n' "$name" "$secs" >&2
    sed 's/^/    /' "$out" >&2
    rm -f "$out"
    exit "$rc"
  fi
  printf '  %-26s %6ss  %s\n' "$name" "$secs" "$(tail -n 1 "$out")"
  rm -f "$out"
}

# fmt_secs NANOSECONDS: "12.3"
fmt_secs() {
  printf '%d.%d' $(($1 / 1000000000)) $(($1 / 100000000 % 10))
}

# note MESSAGE: progress shown immediately while a step runs (fd 3 is the terminal in a step).
note() {
  if { true >&3; } 2>/dev/null; then echo "    · $*" >&3; else echo "    · $*" >&2; fi
}

die() {
  echo "$*" >&2
  exit 1
}

# has_wasm32_std [RUSTUP_TOOLCHAIN]: does that toolchain's sysroot (default: the one `cargo`
# uses in this repo) hold a wasm32-unknown-unknown standard library? Works for rustup-managed
# toolchains (`rustup target add`) and for linked ones (Debian's rustc-web, see bootstrap.sh).
has_wasm32_std() {
  local sysroot
  sysroot=$(cd "$root" && rustc ${1:+"+$1"} --print sysroot 2>/dev/null) || return 1
  [[ -n $sysroot ]] && compgen -G "$sysroot/lib/rustlib/wasm32-unknown-unknown/lib/libstd-*.rlib" >/dev/null
}

# The one place that decides which rustup toolchain builds wasm32-unknown-unknown: prints ""
# for the active toolchain when it has the target (a developer laptop), otherwise the name of
# the Debian rustc-web toolchain that bootstrap.sh links (TOOLCHAIN.md).
# CTTIMEOUT_WASM_TOOLCHAIN=debian-web forces the fallback (to try it on a laptop).
WASM_TOOLCHAIN_FALLBACK=debian-web
wasm_toolchain() {
  if [[ ${CTTIMEOUT_WASM_TOOLCHAIN:-} == "$WASM_TOOLCHAIN_FALLBACK" ]]; then
    echo "$WASM_TOOLCHAIN_FALLBACK"
  elif has_wasm32_std ""; then
    echo ""
  else
    echo "$WASM_TOOLCHAIN_FALLBACK"
  fi
}

# The wasm-bindgen crate version pinned in Cargo.lock (wasm-bindgen-cli must match it exactly).
wasm_bindgen_version() {
  awk '/^\[\[package\]\]/ { n = "" } /^name = / { n = $3 } /^version = / && n == "\"wasm-bindgen\"" { gsub(/"/, "", $3); print $3; exit }' "$root/Cargo.lock"
}
