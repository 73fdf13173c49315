#!/usr/bin/env bash
# Builds the image's root filesystem from Debian bookworm packages and prints the path
# of the cached tarball. The tarball is cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/jobwatch/image-base/<key>/rootfs.tar, where the key
# is a hash of this script, base-packages.txt and the architecture, so it is built only
# when one of those changes. Needs root and debootstrap.
#
# How: debootstrap --variant=minbase installs a working system in a scratch folder,
# then only the files that the packages of base-packages.txt own are copied out (no
# docs, man pages, locales or apt lists), with the files their maintainer scripts
# generate (CA bundle, /etc/localtime) and the jobwatch user (UID/GID 10001).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly suite=bookworm
readonly mirror=${JOBWATCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly app_uid=10001
arch=$(dpkg --print-architecture)
packages=$(grep -v -E '^[[:space:]]*(#|$)' "$here/base-packages.txt")
key=$(cat "$here/base.sh" "$here/base-packages.txt" <(echo "$arch") | sha256sum | cut -c1-16)
cache_dir=${XDG_CACHE_HOME:-$HOME/.cache}/jobwatch/image-base/$key
tarball=$cache_dir/rootfs.tar

log() { printf 'image base: %s\n' "$*" >&2; }

# Prints the paths (one a line) that the given packages own in the bootstrapped system, minus
# documentation, translations and data the runtime never reads. Debian copyright files
# stay for license compliance. Paths through the merged-/usr symlinks (/lib/x86_64-…)
# are rewritten to their /usr target so tar stores each file once, under /usr.
owned_paths() {
  local boot=$1
  shift
  chroot "$boot" dpkg-query -L "$@" |
    grep '^/.' |
    grep -v -E '^/usr/share/(man|info|locale|lintian|gcc|gdb|bug)(/|$)' |
    grep -v -E '^/usr/share/doc/[^/]+/.+' |
    grep -v -E '^/usr/share/zoneinfo/right(/|$)' |
    grep -v -E '^/usr/lib/[^/]+-linux-gnu/gconv(/|$)' |
    sed -E 's#^/(bin|sbin|lib|lib64)/#/usr/\1/#; s#^/##' |
    sort -u
  # The copyright files filtered out above, one per package.
  for package in "$@"; do
    # realpath: libgcc-s1 and libstdc++6 link their doc folder to gcc-12-base's.
    local doc=$boot/usr/share/doc/$package/copyright
    [ -e "$doc" ] && realpath --relative-to="$boot" "$doc"
  done
  return 0
}

# Prints the files that maintainer scripts create at install time, which dpkg does not
# list.
generated_paths() {
  local boot=$1 path
  for path in bin sbin lib lib64 etc/nsswitch.conf etc/localtime etc/timezone; do
    [ -e "$boot/$path" ] || [ -L "$boot/$path" ] && echo "$path"
  done
  # The CA bundle and its OpenSSL hash links, made by update-ca-certificates.
  (cd "$boot" && find etc/ssl/certs)
}

# Writes the accounts files with the user the image runs as, which has no password and
# no login shell. Its UID matches the Helm chart's securityContext.
write_accounts() {
  local root=$1
  printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' \
    "jobwatch:x:$app_uid:$app_uid:jobwatch:/home/jobwatch:/usr/sbin/nologin" \
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' "jobwatch:x:$app_uid:" 'nogroup:x:65534:' >"$root/etc/group"
  mkdir -p "$root/home/jobwatch" "$root/tmp" "$root/root"
  chown "$app_uid:$app_uid" "$root/home/jobwatch"
  chmod 0750 "$root/home/jobwatch"
  chmod 1777 "$root/tmp"
  chmod 0700 "$root/root"
}

# Writes a dpkg status file that lists only the kept packages, so that image scanners
# (Trivy, Grype) can match them against Debian's security advisories.
write_dpkg_status() {
  local boot=$1 root=$2
  shift 2
  mkdir -p "$root/var/lib/dpkg"
  awk -v wanted="$*" '
    BEGIN { RS = ""; ORS = "\n\n"; n = split(wanted, names, " "); for (i = 1; i <= n; i++) keep[names[i]] = 1 }
    match($0, /^Package: [^\n]+/) { if (substr($0, 10, RLENGTH - 9) in keep) print }
  ' "$boot/var/lib/dpkg/status" >"$root/var/lib/dpkg/status"
}

# Unmounts what debootstrap may have left mounted after a failure (/proc, /sys, /dev
# inside the target) before the scratch folder is deleted.
cleanup() {
  local work=$1
  [ -d "$work" ] || return 0
  findmnt -rn -o TARGET | grep -F "$work/" | sort -r | xargs -r -n1 umount -l || true
  # --one-file-system: never descend into a mount that survived the unmount above.
  rm -rf --one-file-system "$work"
}

build_base() {
  mkdir -p "$cache_dir"
  work=$(mktemp -d "$cache_dir/.work.XXXXXX")
  trap 'cleanup "$work"' EXIT
  local boot=$work/bootstrap root=$work/rootfs
  log "debootstrap $suite ($arch) from $mirror into $boot"
  # shellcheck disable=SC2086 # the package list is one name a line
  debootstrap --variant=minbase --arch="$arch" --include="$(echo $packages | tr ' ' ',')" \
    "$suite" "$boot" "$mirror" >"$work/debootstrap.log" 2>&1 || {
    tail -n 20 "$work/debootstrap.log" >&2
    log "debootstrap failed; check that $mirror is reachable (set JOBWATCH_DEBIAN_MIRROR)"
    return 1
  }
  mkdir -p "$root"
  # shellcheck disable=SC2086
  { owned_paths "$boot" $packages; generated_paths "$boot"; } | sort -u >"$work/paths"
  tar -C "$boot" --no-recursion -cf - -T "$work/paths" | tar -C "$root" -xpf -
  write_accounts "$root"
  # shellcheck disable=SC2086
  write_dpkg_status "$boot" "$root" $packages
  tar -C "$root" --sort=name --numeric-owner -cf "$tarball.tmp" .
  mv -f "$tarball.tmp" "$tarball"
  # Bases built from older versions of the inputs are never used again.
  find "$(dirname "$cache_dir")" -mindepth 1 -maxdepth 1 -type d ! -path "$cache_dir" \
    -exec rm -rf --one-file-system {} +
  log "built $tarball ($(du -h "$tarball" | cut -f1)); minbase was $(du -sh "$boot" | cut -f1)"
}

if [ ! -s "$tarball" ]; then
  [ "$(id -u)" -eq 0 ] || { log "run as root: debootstrap needs it"; exit 1; }
  command -v debootstrap >/dev/null ||
    { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }
  build_base
fi
echo "$tarball"
