#!/usr/bin/env bash
# Runs every test, after build.sh: the Rust crates on the host toolchain (rustfmt check,
# clippy with -D warnings, cargo test --workspace), then the whole vitest suite from the repo
# root (codec through WebAssembly, transport and client against the real kernel in private
# network namespaces, CLI against nfct, browser tests in headless Chromium, packaging).
# Both halves always run; the exit status is non-zero when either failed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$root"

failed=()
run() { # run NAME COMMAND...: prints a header and the duration; records a failure
  local name=$1 t0 t1 rc=0
  shift
  echo "== $name: $*"
  t0=$(date +%s%N)
  "$@" || rc=$?
  t1=$(date +%s%N)
  if ((rc)); then
    echo "== $name FAILED (exit $rc) after $(fmt_secs $((t1 - t0)))s"
    failed+=("$name")
  else
    echo "== $name passed in $(fmt_secs $((t1 - t0)))s"
  fi
}

# rustfmt and clippy come with rustup's default profile; a minimal toolchain may lack them and
# they cannot be downloaded here, so they are skipped with a warning rather than failing.
if cargo fmt --version >/dev/null 2>&1; then
  run "cargo fmt" cargo fmt --all --check
else
  echo "== cargo fmt: skipped (rustfmt is not installed in the active toolchain)"
fi
if cargo clippy --version >/dev/null 2>&1; then
  run "cargo clippy" cargo clippy --workspace --all-targets --quiet -- -D warnings
else
  echo "== cargo clippy: skipped (clippy is not installed in the active toolchain)"
fi
run "cargo test" cargo test --workspace --quiet
run "vitest" "$root/node_modules/.bin/vitest" run

if ((${#failed[@]})); then
  echo "tests FAILED: ${failed[*]}"
  exit 1
fi
echo "all tests passed"
