#!/usr/bin/env bash
# Fuzzing for a given time, then a table of executions and crashes per target.
#   bash scripts/fuzz.sh [SECONDS=60] [TARGET...]
# TARGET: a cargo-fuzz target of crates/codec/fuzz (decode, encode, roundtrip, inspect, wire),
# "rust" (all of them), "ts" (the fast-check harnesses of test/fuzz: policy files, capture
# readers, CLI arguments; SECONDS each), or "all" (the default). Rust targets run one after
# the other, SECONDS each. Corpora (seeded with every capture in test/fixtures) and crash
# artifacts stay in crates/codec/fuzz/{corpus,artifacts}/TARGET (not in git); a crash stops its
# target, is listed, and should become a regression test. Run it niced on shared machines:
#   nice -n 19 bash scripts/fuzz.sh 600 decode
# The codec is safe Rust (#![deny(unsafe_code)]), so AddressSanitizer finds nothing the
# language does not already check and costs 3x the executions: the default is no sanitizer,
# with debug assertions (overflow checks) on. FUZZ_SANITIZER=address brings it back.
# FUZZ_RUNS=N stops each target (each fast-check property too) after N executions instead
# (SECONDS is then a ceiling). The fast-check files (one property each) run side by side (FUZZ_TS_WORKERS, 8).
# Exit status 1 when anything crashed.
set -euo pipefail
secs=${1:-60}
[[ $secs =~ ^[0-9]+$ ]] || { echo "fuzz: SECONDS must be a whole number, not '$secs'" >&2; exit 64; }
shift || true
root=$(cd "$(dirname "$0")/.." && pwd)
fuzzdir=$root/crates/codec/fuzz
rust_targets=(decode encode roundtrip inspect wire)
targets=()
for t in "${@:-all}"; do
  case $t in
    all) targets+=("${rust_targets[@]}" ts) ;;
    rust) targets+=("${rust_targets[@]}") ;;
    ts | decode | encode | roundtrip | inspect | wire) targets+=("$t") ;;
    *) echo "fuzz: unknown target '$t' (${rust_targets[*]}, rust, ts, all)" >&2; exit 64 ;;
  esac
done

need_rust=0
for t in "${targets[@]}"; do [[ $t == ts ]] || need_rust=1; done
if ((need_rust)); then
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
fi

results=()
crashed=0
for t in "${targets[@]}"; do
  if [[ $t == ts ]]; then
    echo "== fast-check harnesses (test/fuzz), ${secs}s each${FUZZ_RUNS:+ or $FUZZ_RUNS cases}"
    log=$(mktemp)
    status=0
    (cd "$root" && CTTIMEOUT_FUZZ_SECONDS=$secs CTTIMEOUT_FUZZ_CASES=${FUZZ_RUNS:-0} node_modules/.bin/vitest run test/fuzz --reporter=dot --maxWorkers="${FUZZ_TS_WORKERS:-8}") 2>&1 | tee "$log" || status=$?
    while IFS= read -r line; do
      # "FUZZ name: N cases, 0 failures"
      name=${line#FUZZ }
      name=${name%%:*}
      n=$(sed -E 's/.*: ([0-9]+) cases.*/\1/' <<<"$line")
      results+=("ts: $name|$n|0")
    done < <(grep -ao 'FUZZ .*' "$log" || true)
    if ((status != 0)); then
      results+=("ts (a property failed: see above)|-|1")
      crashed=1
    fi
    rm -f "$log"
    continue
  fi
  cd "$fuzzdir"
  corpus=corpus/$t
  artifacts=artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  node -e '
    const fs = require("fs");
    const caps = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    for (const c of caps) fs.writeFileSync(process.argv[2] + "/" + c.id, Buffer.from(c.hex, "hex"));
  ' "$root/test/fixtures/protocol-md-captures.json" "$corpus"
  echo "== fuzzing $t for ${secs}s"
  log=$artifacts/last-run.log
  before=$(find "$artifacts" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l)
  status=0
  "${run[@]}" run -s "${FUZZ_SANITIZER:-none}" -a "$t" "$corpus" -- -max_total_time="$secs" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  grep -av '^#[0-9]' "$log" | tail -n 25 || true
  execs=$(grep -a 'stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}')
  n_crash=$(($(find "$artifacts" -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' | wc -l) - before))
  if ((status != 0 && n_crash == 0)); then n_crash=1; fi
  ((n_crash == 0)) || crashed=1
  results+=("$t|${execs:-?}|$n_crash")
  cd "$root"
done

echo
printf '%-32s %15s %8s\n' target executions crashes
for r in "${results[@]}"; do
  IFS='|' read -r name n c <<<"$r"
  printf '%-32s %15s %8s\n' "$name" "$n" "$c"
done
exit "$crashed"
