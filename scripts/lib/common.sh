# Shared by the set-up and build scripts. Source it; it sets `root` and helpers.
# shellcheck shell=bash
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH="$HOME/.cargo/bin:$PATH"

# Runs a step, printing its name, result and duration. The step prints its own detail
# line (what it did or skipped) on stdout; failures stop the script with the step's message.
step() {
  local name=$1
  shift
  local t0 t1 detail
  t0=$(date +%s%N)
  if ! detail=$("$@" 2>&1); then
    printf '  %-34s FAILED\n%s\n' "$name" "$detail" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  printf '  %-34s %6.1fs  %s\n' "$name" "$(((t1 - t0) / 1000000))e-3" "$(tail -n 1 <<<"$detail")"
}

die() {
  echo "$*" >&2
  exit 1
}

# The rustup toolchain that builds wasm32-unknown-unknown: the default one when it has the
# target (a developer laptop), otherwise Debian's rustc-web linked as `debian-web` (TOOLCHAIN.md).
wasm_toolchain() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo ""
  else
    echo "debian-web"
  fi
}

# The wasm-bindgen crate version pinned in Cargo.lock (the CLI must match it exactly).
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' "$root/Cargo.lock"
}
