#!/usr/bin/env bash
# Checks the Helm chart: `helm lint --strict` and `helm template` with the
# default values and with every values file in helm/jobwatch/ci/. Prints one
# line per values file, and helm's full output only when a check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."

chart=helm/jobwatch
helm=deploy/tools/helm.sh
out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=0

# check NAME COMMAND…: runs the command quietly and reports its outcome.
check() {
  local name=$1
  shift
  if "$@" >"$out" 2>&1; then
    return 0
  fi
  echo "FAILED: $name: $*" >&2
  cat "$out" >&2
  failed=1
  return 1
}

# Builds helm first when it is missing, and shows the build log only when the
# build fails, so the output stays one line per check.
if ! "$helm" version --short >"$out" 2>&1; then
  echo "FAILED: building or running helm with $helm" >&2
  cat "$out" >&2
  exit 1
fi
echo "helm $(tail -n 1 "$out")"

# helm lint logs the chart's `fail` calls at INFO level instead of failing, so
# it runs on the default values, which name no Redis. helm template fails on
# them, so it runs with the one value every install must add.
check "defaults" "$helm" lint --strict "$chart" &&
  check "defaults" "$helm" template jobwatch "$chart" --set redis.url=redis://redis:6379 &&
  echo "ok  defaults"

for values in "$chart"/ci/*.yaml; do
  name=$(basename "$values" .yaml)
  check "$name" "$helm" lint --strict "$chart" -f "$values" &&
    check "$name" "$helm" template jobwatch "$chart" -f "$values" &&
    echo "ok  $name"
done

# The default values name no Redis, so helm template must fail with the
# message that names the values to set, rather than render a Deployment that
# cannot start.
if "$helm" template jobwatch "$chart" >"$out" 2>&1 || ! grep -q "jobwatch has no Redis" "$out"; then
  echo "FAILED: helm template without a Redis did not fail with its message" >&2
  cat "$out" >&2
  failed=1
else
  echo "ok  missing Redis rejected"
fi

exit "$failed"
