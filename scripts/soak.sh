#!/usr/bin/env bash
# The model-based test against the real kernel for as long as asked:
#   npm run soak -- --minutes N      (default 10)
#   npm run soak -- --ops N          (stop after N operations)
#   npm run soak -- --seed S         (first fast-check seed; each sequence uses the next)
# Every sequence runs in a fresh private network namespace. Prints operations done and every
# mismatch (seed and command sequence); exit status 1 when the kernel and the model disagreed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
minutes=""
ops=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) minutes=${2:?--minutes needs a number}; shift 2 ;;
    --ops) ops=${2:?--ops needs a number}; shift 2 ;;
    --seed) export CTTIMEOUT_SOAK_SEED=${2:?--seed needs a number}; shift 2 ;;
    *) echo "soak: unknown argument $1 (use --minutes N, --ops N, --seed S)" >&2; exit 64 ;;
  esac
done
for v in "$minutes" "$ops" "${CTTIMEOUT_SOAK_SEED:-}"; do
  [[ -z $v || $v =~ ^[0-9]+$ ]] || { echo "soak: '$v' is not a whole number" >&2; exit 64; }
done
[[ -z $minutes && -z $ops ]] && minutes=10
export CTTIMEOUT_SOAK_MINUTES=${minutes:-0} CTTIMEOUT_SOAK_OPS=${ops:-0}
cd "$root"
exec node_modules/.bin/vitest run --config test/model/vitest.soak.config.ts --reporter=default
