#!/bin/sh -eux
# The Node.js runtime MagickBox needs (20; the distributions ship 18). The official linux-x64
# build: from $MAGICKBOX_BUILD_FILES/node-linux-x64.tar.gz (or .xz) when the build provides it (offline
# builds), else downloaded from nodejs.org and checked against its published SHA-256.
NODE_VERSION=${MAGICKBOX_NODE_VERSION:-20.20.2}
BUILD_FILES=${MAGICKBOX_BUILD_FILES:-/tmp/magickbox-build}
target=/opt/node-v$NODE_VERSION

if [ -x "$target/bin/node" ] && [ "$("$target/bin/node" --version)" = "v$NODE_VERSION" ]; then
  echo "Node.js $NODE_VERSION already installed"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  local_file=$(find "$BUILD_FILES" -maxdepth 1 -name 'node-linux-x64.tar.*' 2>/dev/null | head -n 1)
  if [ -n "$local_file" ]; then
    cp "$local_file" "$work/node.tar.xz"
  else
    name=node-v$NODE_VERSION-linux-x64.tar.xz
    curl -fsSL -o "$work/$name" "https://nodejs.org/dist/v$NODE_VERSION/$name"
    curl -fsSL -o "$work/SHASUMS256.txt" "https://nodejs.org/dist/v$NODE_VERSION/SHASUMS256.txt"
    (cd "$work" && grep " $name\$" SHASUMS256.txt | sha256sum -c -)
    mv "$work/$name" "$work/node.tar.xz"
  fi
  mkdir -p "$work/unpacked"
  tar -xf "$work/node.tar.xz" -C "$work/unpacked" --strip-components=1
  rm -rf "$target"
  mv "$work/unpacked" "$target"
fi
ln -sf "$target/bin/node" /usr/local/bin/node
[ ! -e "$target/bin/npm" ] || ln -sf "$target/bin/npm" /usr/local/bin/npm
/usr/local/bin/node --version | grep -qx "v$NODE_VERSION"
