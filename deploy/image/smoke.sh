#!/usr/bin/env bash
# Checks the built image $JOBWATCH_IMAGE from the outside and by running jobwatch in it
# as UID 10001 with /app mounted read-only. Removes the working container it makes.
# Usage: JOBWATCH_IMAGE=jobwatch:0.1.0 deploy/image/smoke.sh (or build.sh smoke).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
image=${JOBWATCH_IMAGE:?set JOBWATCH_IMAGE to the image to check, e.g. jobwatch:0.1.0}
# A scenario whose diagnosis needs pod status, events, logs and the container spec.
scenario=$repo/fixtures/scenarios/oom-cronjob-pod-lister-128mi.json
readonly user=10001:10001
container=jobwatch-smoke-$$
failures=0

pass() { printf 'smoke: ok   %s\n' "$*"; }
flunk() { printf 'smoke: FAIL %s\n' "$*" >&2; failures=$((failures + 1)); }
# expect NAME ACTUAL EXPECTED
expect() {
  if [ "$2" = "$3" ]; then pass "$1: $2"; else flunk "$1: got '$2', expected '$3'"; fi
}
package_field() { node -p "require(process.argv[1]).$1" "$repo/package.json"; }
# image_field EXPRESSION: evaluates a JavaScript expression over the image's OCI config
# (`c`), printing objects and arrays as JSON.
image_field() {
  buildah inspect --type image "$image" | node -e '
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      const c = JSON.parse(text).OCIv1.config;
      const value = eval(process.argv[1]);
      console.log(typeof value === "object" ? JSON.stringify(value) : String(value));
    });' "$1"
}

# The runtime settings a Kubernetes pod inherits from the image.
check_config() {
  expect "user" "$(image_field c.User)" "$user"
  expect "entrypoint" "$(image_field c.Entrypoint)" '["node","/app/bin/jobwatch.js"]'
  expect "cmd" "$(image_field c.Cmd)" '["run"]'
  expect "workdir" "$(image_field c.WorkingDir)" /app
  expect "exposed ports" "$(image_field 'Object.keys(c.ExposedPorts)')" '["3000/tcp"]'
  expect "version label" "$(image_field 'c.Labels["org.opencontainers.image.version"]')" \
    "$(package_field version)"
  expect "licenses label" "$(image_field 'c.Labels["org.opencontainers.image.licenses"]')" \
    "$(package_field license)"
}

# No package that only devDependencies need may reach /app/node_modules: package-lock.json
# marks those "dev": true (vitest, typescript, eslint and about 160 more). Some names of
# devDependencies, such as undici, are also production dependencies and stay.
check_no_dev_dependencies() {
  local root=$1 path found=0
  for path in $(node -p '
    const lock = require(process.argv[1]);
    Object.keys(lock.packages).filter((p) => lock.packages[p].dev).join(" ")' \
    "$repo/package-lock.json"); do
    if [ -e "$root/app/$path" ]; then
      flunk "dev dependency $path is in /app"
      found=1
    fi
  done
  for path in vitest typescript eslint; do
    [ -e "$root/app/node_modules/$path" ] && { flunk "$path is in /app/node_modules"; found=1; }
  done
  [ "$found" -eq 1 ] || pass "no dev dependency in /app/node_modules"
}

# run ARGS…: runs node in the container as the jobwatch user, /app read-only and the
# scenario file at /smoke/scenario.json.
run() {
  buildah run --isolation chroot --user "$user" \
    --volume "$root/app:/app:ro" --volume "$scenario:/smoke/scenario.json:ro" \
    "$container" -- node "$@"
}

check_runtime() {
  expect "jobwatch --version" "$(run /app/bin/jobwatch.js --version)" "$(package_field version)"
  local expected diagnosed
  expected=$(node -p 'require(process.argv[1]).expected.cause' "$scenario")
  diagnosed=$(run /app/bin/jobwatch.js diagnose --scenario /smoke/scenario.json --json |
    node -e 'let s="";process.stdin.on("data",(d)=>s+=d).on("end",()=>console.log(JSON.parse(s).cause))')
  expect "diagnose $(basename "$scenario")" "$diagnosed" "$expected"
  expect "process uid:gid" "$(run -p 'process.getuid()+":"+process.getgid()')" "$user"
  # Writing into /app must fail: the bind mount is read-only, and root owns the files.
  expect "write into /app" "$(run -e '
    try { require("fs").writeFileSync("/app/probe", "x"); console.log("written") }
    catch (err) { console.log(err.code) }')" EROFS
}

cleanup() {
  buildah umount "$container" >/dev/null 2>&1 || true
  buildah rm "$container" >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ -n "$(buildah images --noheading --format '{{.ID}}' "$image" 2>/dev/null)" ] ||
  { echo "smoke: image $image not found; build it first: deploy/image/build.sh build" >&2; exit 1; }
check_config
buildah from --name "$container" "$image" >/dev/null
root=$(buildah mount "$container")
check_no_dev_dependencies "$root"
check_runtime
if [ "$failures" -gt 0 ]; then
  echo "smoke: $failures check(s) failed on $image" >&2
  exit 1
fi
echo "smoke: every check passed on $image"
