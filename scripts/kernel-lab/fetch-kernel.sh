#!/usr/bin/env bash
# Makes the kernel lab ready: qemu, a static busybox and kmod on this machine (apt-get install when missing),
# and Debian's stock kernel with its modules unpacked into the lab directory. The kernel is downloaded once and
# kept: a later call finds it there and downloads nothing.
#
# usage: fetch-kernel.sh [LAB_DIR]
#   LAB_DIR defaults to $FAULTLINE_KERNEL_LAB_DIR, else ~/.cache/faultline/kernel-lab: outside the work tree, so that
#   a fresh clone (CI clones afresh for every run) finds the kernel already there. The kernel goes into
#   LAB_DIR/kernel (boot/vmlinuz-*, lib/modules/*, about 400 MB); klab.sh builds its initramfs into LAB_DIR/build.
#
# Exit codes: 0 ready; 77 the lab cannot be had here (not root and something is missing, apt cannot install,
# the kernel package cannot be downloaded), with the reason on the last line of stderr.
set -euo pipefail
lab=${1:-${FAULTLINE_KERNEL_LAB_DIR:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/faultline/kernel-lab}}

unavailable() { echo "fetch-kernel: $*" >&2; exit 77; }

mkdir -p "$lab" || unavailable "cannot create the lab directory $lab"
lab=$(cd "$lab" && pwd)
# Should the lab directory be put inside a work tree, git must never see it.
[[ -e "$lab/.gitignore" ]] || echo '*' >"$lab/.gitignore"

exec 8>"$lab/.fetch.lock"
flock 8

apt_updated=0
apt_update() { # $1: what the update is for, in the message when it fails
  if ((apt_updated == 0)); then
    apt-get update -qq >/dev/null 2>&1 || unavailable "apt-get update failed (offline?), so cannot $1"
    apt_updated=1
  fi
}

need=()
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
# The initramfs is busybox alone: it must be the static build (the busybox package's is dynamic).
if [[ ! -x /bin/busybox ]] || [[ $(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null) != "install ok installed" ]]; then
  need+=(busybox-static)
fi
command -v depmod >/dev/null 2>&1 || need+=(kmod)
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    unavailable "the kernel lab needs ${need[*]} (apt-get install -y ${need[*]}); not root, so not installed"
  fi
  echo "fetch-kernel: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt_update "install ${need[*]}"
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || unavailable "apt-get install ${need[*]} failed (offline, or no such package here)"
fi

kernel=$lab/kernel
if compgen -G "$kernel/boot/vmlinuz-*" >/dev/null && compgen -G "$kernel/lib/modules/*/kernel" >/dev/null; then
  exit 0
fi

# The version the metapackage points at today; once unpacked, it stays until the directory is removed.
image_package() { { apt-cache depends linux-image-amd64 2>/dev/null || true; } | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
pkg=$(image_package)
if [[ -z "$pkg" ]]; then
  apt_update "download Debian's stock kernel (linux-image-amd64)"
  pkg=$(image_package)
fi
[[ -n "$pkg" ]] || unavailable "apt knows no linux-image-amd64 here, so there is no stock kernel to boot"

echo "fetch-kernel: downloading $pkg into $kernel" >&2
download=$(mktemp -d "$lab/download.XXXXXX")
trap 'rm -rf "$download"' EXIT
(cd "$download" && apt-get download "$pkg" >/dev/null 2>&1) || {
  apt_update "download Debian's stock kernel ($pkg)"
  (cd "$download" && apt-get download "$pkg" >/dev/null 2>&1) || unavailable "cannot download Debian's stock kernel $pkg (offline?)"
}
rm -rf "$kernel.new"
mkdir -p "$kernel.new"
dpkg-deb -x "$download"/*.deb "$kernel.new" || unavailable "cannot unpack $pkg"
rm -rf "$kernel"
mv "$kernel.new" "$kernel"
ls "$kernel"/boot/vmlinuz-* >&2
