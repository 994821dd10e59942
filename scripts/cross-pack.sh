#!/usr/bin/env bash
# Packs what would be published: one tarball per platform package in npm/ that holds its addon
# (scripts/cross-build.sh), and cttimeout itself with those packages as optionalDependencies
# (pinned to its own version). The optionalDependencies are added to the packed package.json
# only: in this repo's own package.json they would name packages the registry does not have
# yet, and `npm ci` of the monorepo would fail on them. Prints the tarball paths, one a line,
# the main package first.
#
#   scripts/cross-pack.sh DEST_DIR
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$root"
dest=${1:?usage: scripts/cross-pack.sh DEST_DIR}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)

pack() { # pack DIR: prints the tarball's path
  local out
  out=$(npm pack "./$1" --pack-destination "$dest" --json --loglevel=error)
  echo "$dest/$(node -p 'JSON.parse(process.argv[1])[0].filename' "$out")"
}

platforms=()
for dir in npm/*/; do
  name=$(node -p 'require(process.argv[1]).name' "$root/$dir/package.json")
  if ! compgen -G "$dir*.node" >/dev/null; then
    echo "cross-pack: $dir has no .node file (run scripts/cross-build.sh); $name left out" >&2
    continue
  fi
  platforms+=("$(pack "$dir")")
done

main=$(pack packages/cttimeout)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$main" -C "$work"
node -e '
  const fs = require("fs");
  const [file, ...platformTarballs] = process.argv.slice(1);
  const pkg = JSON.parse(fs.readFileSync(file, "utf8"));
  pkg.optionalDependencies = {};
  for (const t of platformTarballs) {
    const m = /cttimeout-(linux-[a-z0-9]+-[a-z]+)-(.+)\.tgz$/.exec(t);
    pkg.optionalDependencies[`@cttimeout/${m[1]}`] = pkg.version;
  }
  fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
' "$work/package/package.json" "${platforms[@]}"
# Same layout as npm pack: everything under package/, gzip.
tar -czf "$main" -C "$work" package
echo "$main"
printf '%s\n' "${platforms[@]}"
