#!/usr/bin/env bash
# Builds the agent image of examples/kubernetes (ENTRYPOINT and CMD as in its Dockerfile) without
# Docker Hub: a Debian bookworm base made by debootstrap from the Debian mirror, this machine's
# Node (Debian's nodejs is 18; the package needs >= 20.17) and the packed cttimeout with its
# linux-x64-gnu addon, imported with podman. Not part of npm test.
#   bash scripts/image.sh [TAG=cttimeout:0.1.0]
# Then, in the container's own network namespace (podman makes one):
#   podman run --rm --cap-add NET_ADMIN cttimeout:0.1.0 list timeout
# The Dockerfile (FROM node:20-bookworm-slim) stays the recipe for machines that reach Docker Hub.
set -euo pipefail
tag=${1:-cttimeout:0.1.0}
root=$(cd "$(dirname "$0")/.." && pwd)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

need=()
command -v podman >/dev/null || need+=(podman)
command -v debootstrap >/dev/null || need+=(debootstrap)
if ((${#need[@]})); then
  echo "== installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "== packing cttimeout and its linux-x64-gnu addon"
bash "$root/scripts/cross-pack.sh" "$work/pack" >"$work/tarballs"
main=$(sed -n 1p "$work/tarballs")
addon=$(grep 'linux-x64-gnu' "$work/tarballs")

echo "== debootstrap bookworm (minbase) from $mirror"
rootfs=$work/rootfs
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; exit 1; }

echo "== Node $(node --version) and cttimeout into the image"
install -D -m 0755 "$(command -v node)" "$rootfs/usr/local/bin/node"
# npm installs the package (and its one dependency, yaml) for the image's /usr/local.
npm install --global --prefix "$rootfs/usr/local" --omit=dev --no-audit --no-fund --loglevel=error "$addon" "$main"
rm -rf "$rootfs/var/cache/apt/archives"/*.deb "$rootfs/var/lib/apt/lists"/*

echo "== podman import -> $tag"
tar -C "$rootfs" -c . | podman import \
  --change 'USER 0' \
  --change 'ENTRYPOINT ["cttimeout"]' \
  --change "CMD $(sed -n 's/^CMD //p' "$root/examples/kubernetes/Dockerfile")" \
  - "$tag" >/dev/null
podman image inspect "$tag" --format '{{.Id}} {{.Size}} bytes; entrypoint {{.Config.Entrypoint}} cmd {{.Config.Cmd}}'
echo "== smoke test: the image's cttimeout in a private network namespace"
if ! podman run --rm --cap-add NET_ADMIN "$tag" --version; then
  # Where the OCI runtime may not run (crun: setrlimit RLIMIT_NOFILE is EPERM inside some
  # sandboxes), run the image's own files instead: its root file system, chroot, unshare -n.
  echo "(podman run failed: running the image's root file system with chroot instead)"
  mnt=$(podman image mount "$tag")
  env -u NODE_EXTRA_CA_CERTS unshare -n chroot "$mnt" sh -c 'cttimeout --version && cttimeout add timeout k8s-smoke inet tcp established 600 && cttimeout get timeout k8s-smoke'
  podman image unmount "$tag" >/dev/null
else
  podman run --rm --cap-add NET_ADMIN "$tag" list timeout
fi
echo "image $tag built"
