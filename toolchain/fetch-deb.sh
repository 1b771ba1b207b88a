#!/usr/bin/env bash
# Fetch a Debian package of another architecture into the build tree and
# unpack it there, without touching the system's dpkg architecture list:
# APT runs with its own state directory and architecture options.
#   toolchain/fetch-deb.sh ARCH PACKAGE DESTDIR
set -euo pipefail
arch=$1 pkg=$2 dest=$3
state="$dest/.apt"
mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
opts=(-o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache"
      -o "APT::Architectures::=$arch" -o "APT::Architecture=$arch"
      -o "Debug::NoLocking=1" -q)
if ! ls "$state/lists/"*Packages* >/dev/null 2>&1; then
  if ! apt-get "${opts[@]}" update >"$state/update.log" 2>&1; then
    # A mirror caught mid-sync fails one index (seen: bookworm-security armhf)
    # while the others arrive; the download below still fails loudly if the
    # package is in none of them.
    ls "$state/lists/"*Packages* >/dev/null 2>&1 ||
      { cat "$state/update.log" >&2; echo "fetch-deb: apt-get update failed" >&2; exit 1; }
    grep '^E:' "$state/update.log" >&2 || true
    echo "fetch-deb: warning: some package indexes failed; using the ones fetched" >&2
  fi
fi
cd "$dest"
rm -f ./*.deb
# _apt cannot write into a root-owned build tree; download as root is fine here.
apt-get "${opts[@]}" -o APT::Sandbox::User=root download "$pkg:$arch" >"$state/download.log" 2>&1 ||
  { cat "$state/download.log" >&2; echo "fetch-deb: download of $pkg:$arch failed" >&2; exit 1; }
deb=$(ls ./*.deb)
dpkg-deb -x "$deb" root
echo "$deb" > fetched-from
echo "fetch-deb: unpacked $deb into $dest/root"
