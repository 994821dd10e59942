#!/usr/bin/env bash
# Builds everything, in order: the WebAssembly codec (build-wasm.sh), the netlink addon
# (build-native.sh, when present), the platform packages' addons (cross-build.sh), the
# TypeScript package, then the other workspaces that have a build script (the inspector, the monorepo-consumer example). Quick when nothing changed:
# cargo and tsc are incremental, unchanged wasm-pack output is not rewritten, and a workspace
# is rebuilt only when a file of its own, of the cttimeout package or of test/fixtures is newer
# than its last build (delete its dist/ to force one). Prints each step with its duration.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$root"
mkdir -p "$stamps"
tsc=$root/node_modules/.bin/tsc

native() {
  if [[ ! -f scripts/build-native.sh ]]; then
    echo "skipped (no scripts/build-native.sh)"
    return
  fi
  bash scripts/build-native.sh
}

ts_package() {
  local info=$stamps/tsc-cttimeout.tsbuildinfo
  # Incremental tsc does not notice deleted outputs: start over when dist is gone.
  [[ -f packages/cttimeout/dist/index.js ]] || rm -f "$info"
  "$tsc" -p packages/cttimeout/tsconfig.json --incremental --tsBuildInfoFile "$info"
  # tsc does not keep the executable bit that the bin needs.
  if [[ -f packages/cttimeout/dist/cli/main.js ]]; then chmod +x packages/cttimeout/dist/cli/main.js; fi
  # The command's bundle (dist/bin/, what bin/cttimeout.cjs starts): ~0.3 s, so always.
  node packages/cttimeout/scripts/bundle-cli.mjs
  echo "packages/cttimeout/dist"
}

# newer_than STAMP PATH...: prints the first file under PATHs (outside node_modules, dist,
# target) newer than STAMP.
newer_than() {
  local stamp=$1
  shift
  find "$@" \( -name node_modules -o -name dist -o -name target -o -name .vite \) -prune -o \
    -type f -newer "$stamp" -print -quit 2>/dev/null
}

# What every workspace build reads besides its own folder: the cttimeout package, the
# installed dependencies, and the captured fixtures (the inspector's samples).
SHARED_INPUTS=(packages/cttimeout/dist packages/cttimeout/wasm packages/cttimeout/package.json
  package-lock.json test/fixtures)

# The other workspaces with a build script; packages/cttimeout itself was built above (npm's
# --workspaces would build it a second time).
workspaces() {
  local dir name stamp built=() skipped=() why log
  for dir in $(node -p 'require("./package.json").workspaces.join("\n")'); do
    [[ $dir == packages/cttimeout || ! -f $dir/package.json ]] && continue
    node -e 'process.exit(require(process.argv[1]).scripts?.build ? 0 : 1)' "$root/$dir/package.json" || continue
    name=${dir//\//-}
    stamp=$stamps/build-$name.stamp
    why=""
    if [[ ! -f $stamp ]]; then
      why="first build"
    elif [[ ! -d $dir/dist ]]; then
      why="no $dir/dist"
    else
      why=$(newer_than "$stamp" "$dir" "${SHARED_INPUTS[@]}")
    fi
    if [[ -z $why ]]; then
      skipped+=("$dir")
      continue
    fi
    note "$dir: npm run build ($why)"
    log=$cache/build-$name.log
    mkdir -p "$cache"
    local t
    t=$(date +%s%N)
    if ! npm run build --workspace "$dir" --silent >"$log" 2>&1; then
      tail -n 30 "$log"
      die "npm run build --workspace $dir failed (log: $log)"
    fi
    touch -d "@$((t / 1000000000))" "$stamp"
    built+=("$dir")
  done
  echo "${built[*]:+built ${built[*]}}${built[*]:+${skipped[*]:+; }}${skipped[*]:+up to date: ${skipped[*]}}"
}

t_start=$(date +%s%N)
echo "cttimeout build:"
step "codec -> WebAssembly" bash scripts/build-wasm.sh
step "netlink addon (napi-rs)" native
step "platform addons (zig)" bash scripts/cross-build.sh
step "TypeScript package" ts_package
step "other workspaces" workspaces
t_end=$(date +%s%N)
printf '  %-26s %6ss\n' "build total" "$(fmt_secs $((t_end - t_start)))"
