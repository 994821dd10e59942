#!/usr/bin/env bash
# Runs a cargo-fuzz target of the codec for a given time.
#   bash scripts/fuzz.sh [SECONDS=60] [TARGET=decode|encode]
# Seeds the corpus with every capture in test/fixtures. Not part of `npm test` (property tests
# there cover random and mutated input); run it before releases and after codec changes.
set -euo pipefail
secs=${1:-60}
target=${2:-decode}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/crates/codec/fuzz"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

# cargo-fuzz needs nightly flags (-Z sanitizer). Use a nightly toolchain when there is one,
# otherwise let the stable compiler accept them.
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  run=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  run=(cargo fuzz)
fi

corpus="corpus/$target"
mkdir -p "$corpus"
node -e '
  const fs = require("fs");
  const caps = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  for (const c of caps) fs.writeFileSync(process.argv[2] + "/" + c.id, Buffer.from(c.hex, "hex"));
' "$root/test/fixtures/protocol-md-captures.json" "$corpus"

echo "== fuzzing $target for ${secs}s"
"${run[@]}" run "$target" "$corpus" -- -max_total_time="$secs" -print_final_stats=1
