#!/usr/bin/env bash
# Builds everything: the WebAssembly codec, the netlink addon, the TypeScript package (and the
# inspector when it has a build script). Incremental: quick when nothing changed.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"
cd "$root"

ts_package() {
  npx tsc -p packages/cttimeout/tsconfig.build.json
  # tsc does not keep the executable bit that the bin needs.
  [[ -f packages/cttimeout/dist/cli/main.js ]] && chmod +x packages/cttimeout/dist/cli/main.js
  echo "packages/cttimeout/dist"
}

# The other workspaces with a build script (the inspector, the monorepo-consumer example); the
# package itself was built above.
workspaces() {
  local args=() dir
  for dir in packages/inspector examples/monorepo-consumer; do
    [[ -f $dir/package.json ]] && args+=(--workspace "$dir")
  done
  ((${#args[@]})) && npm run build "${args[@]}" --if-present --silent >/tmp/cttimeout-workspaces.log 2>&1 ||
    { cat /tmp/cttimeout-workspaces.log; return 1; }
  echo "${args[*]//--workspace /}"
}

echo "cttimeout build:"
step "codec → WebAssembly" bash scripts/build-wasm.sh
step "netlink addon (napi-rs)" bash scripts/build-native.sh
step "TypeScript package" ts_package
step "other workspaces" workspaces
