#!/usr/bin/env bash
# Runs helm, built from its Go module at a pinned version the first time and
# cached under ${XDG_CACHE_HOME:-$HOME/.cache}/jobwatch/tools/helm-<version>/.
# Usage: deploy/tools/helm.sh ARGS…   (or: npm run helm -- ARGS…)
# Set HELM_VERSION to use another release; the default is the one the chart
# checks run with.
set -euo pipefail

version=${HELM_VERSION:-v4.3.2}
dir="${XDG_CACHE_HOME:-$HOME/.cache}/jobwatch/tools/helm-$version"
helm="$dir/helm"

if [ ! -x "$helm" ]; then
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
    export PATH="$PATH:/usr/local/go/bin"
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "helm $version is not built yet, and building it needs Go, which is not installed: install Go 1.26 or newer (helm $version requires it)" >&2
    exit 1
  fi
  major=${version#v}
  major=${major%%.*}
  echo "building helm $version into $dir (first run only; takes a few minutes)" >&2
  # Build into a private folder and move the binary in place, so a second run
  # that starts meanwhile never executes a half-written file.
  partial=$(mktemp -d "${TMPDIR:-/tmp}/jobwatch-helm-XXXXXX")
  trap 'rm -rf "$partial"' EXIT
  GOBIN="$partial" GOFLAGS=-trimpath go install "helm.sh/helm/v$major/cmd/helm@$version" >&2
  mkdir -p "$dir"
  mv -f "$partial/helm" "$helm"
  rm -rf "$partial"
  trap - EXIT
fi

exec "$helm" "$@"
