#!/usr/bin/env bash
# Dependencies Debian does not package, or packages too old, built or
# fetched once and reused:
#
#   qemu-rme BUILD_DIR   a qemu-system-aarch64 with FEAT_RME (-cpu max,x-rme=on):
#                        the system's if it has it, else bookworm-backports'
#                        qemu-system-arm fetched into BUILD_DIR/deps/qemu-rme
#                        with a private APT state (the system is not changed)
#   rme-stack            TF-RMM and TF-A at pinned release tags, cloned from
#                        their upstream URLs into the cache and built once
#   rme-flash HOST OUT   a QEMU flash image: TF-A's BL1 and a FIP whose BL33 is
#                        HOST (ccdma-host.bin)
#   mbedtls              Mbed TLS at a pinned LTS tag (its library sources:
#                        the firmware builds the hashes it needs from them)
#   kvmtool              a static arm64 lkvm from kvmtool at a pinned commit,
#                        cloned from its upstream URL and built once against a
#                        sysroot of Debian arm64 packages (apt-get download,
#                        private APT state)
#   kvm-host             Debian's arm64 Linux (KVM built in) and busybox-static,
#                        the KVM host the kvmtool bench boots under QEMU TCG
#   status BUILD_DIR     one line per dependency: "name: ok PATH" or
#                        "name: unavailable: REASON"
#
# The cache is ${XDG_CACHE_HOME:-$HOME/.cache}/ccdma, keyed by tag and
# configuration. On a machine without a route to the upstream hosts, point
# git at local copies with its own mechanism:
#   git config --global url.<local-copy>.insteadOf <upstream-url>
set -euo pipefail

TFA_URL=https://github.com/ARM-software/arm-trusted-firmware.git
TFA_TAG=v2.13.0
TFRMM_URL=https://github.com/TF-RMM/tf-rmm.git
TFRMM_TAG=tf-rmm-v0.7.0
TFRMM_CONFIG=qemu_virt_defcfg
MBEDTLS_URL=https://github.com/Mbed-TLS/mbedtls.git
MBEDTLS_TAG=v3.6.6
KVMTOOL_URL=https://github.com/kvmtool/kvmtool.git
KVMTOOL_COMMIT=b48735e5d562eaffb96cf98a91da212176f1534c  # 2024-08-30
KVMTOOL_SHORT=${KVMTOOL_COMMIT:0:8}
CROSS=aarch64-linux-gnu-
PICOLIBC_INCLUDE=/usr/lib/picolibc/aarch64-linux-gnu/include

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/ccdma
SRC=$CACHE/src
RMM_OUT=$CACHE/build/tf-rmm-$TFRMM_TAG-$TFRMM_CONFIG-release
TFA_OUT=$CACHE/build/tf-a-$TFA_TAG-qemu-rme-$TFRMM_TAG

say() { printf 'deps: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- QEMU with FEAT_RME ---------------------------------------------------------------

qemu_has_rme() {
  local q=$1
  [ -x "$q" ] || return 1
  printf 'quit\n' | QEMU_MODULE_DIR=/nonexistent timeout 20 "$q" -M virt,secure=on,virtualization=on,gic-version=3 \
    -cpu max,x-rme=on -display none -nodefaults -monitor stdio -S >/dev/null 2>&1
}

# The Debian mirror and suite the system's own APT sources use for main.
apt_mirror() {
  local codename uri
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || return 1
  uri=$( { cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
             awk -v c="$codename" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) break;
                                     if ($(i+1) == c) { print $i; exit } }'
           cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
             awk -v c="$codename" '/^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == c) { print u; exit } }'
         } | head -n 1)
  [ -n "$uri" ] || return 1
  echo "$uri $codename"
}

# The backports QEMU run with its own data files. It would also load the
# system QEMU's modules, of another build, which fail noisily: it gets an
# empty module directory and no audio backend, which is what probed them.
qemu_wrapper() {
  local dest=$1
  mkdir -p "$dest/modules"
  cat >"$dest/qemu-system-aarch64" <<EOF
#!/bin/sh
QEMU_MODULE_DIR="$dest/modules" exec "$dest/root/usr/bin/qemu-system-aarch64" -L "$dest/root/usr/share/qemu" -audio none "\$@"
EOF
  chmod +x "$dest/qemu-system-aarch64"
}

# apt-get download of PKGS for ARCH from the system's own Debian mirror
# (SUITE appended to its codename: "" or "-backports") into DEST/debs, with
# an APT state of its own in DEST/.apt: the system's sources, package lists
# and architectures are not touched.
private_apt_download() {
  local dest=$1 arch=$2 suite=$3 mirror uri codename state
  shift 3
  mirror=$(apt_mirror) || die "cannot tell the Debian mirror from the system's APT sources"
  read -r uri codename <<<"$mirror"
  state=$dest/.apt
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest/debs"
  printf 'deb [arch=%s signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s%s main\n' \
    "$arch" "$uri" "$codename" "$suite" >"$state/sources.list"
  local opts=(-q -o "Dir::State=$state" -o "Dir::State::Lists=$state/lists"
              -o "Dir::State::status=/var/lib/dpkg/status" -o "Dir::Etc::SourceList=$state/sources.list"
              -o "Dir::Etc::SourceParts=/nonexistent" -o "Dir::Cache=$state/cache"
              -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
              -o "APT::Architecture=$arch" -o "APT::Architectures=$arch")
  say "fetching $* ($arch, $codename$suite, $uri) into $dest"
  apt-get "${opts[@]}" update >"$state/update.log" 2>&1 ||
    { cat "$state/update.log" >&2; die "apt-get update of $codename$suite ($arch) failed"; }
  # A metapackage names the versioned package to take: resolve it here.
  local pkgs=() p dep
  for p in "$@"; do
    if [ "${p#meta:}" != "$p" ]; then
      dep=$(apt-cache "${opts[@]}" depends "${p#meta:}" | awk '/Depends: /{print $2; exit}')
      [ -n "$dep" ] || die "cannot resolve ${p#meta:} in $codename$suite"
      pkgs+=("$dep")
    else
      pkgs+=("$p")
    fi
  done
  (cd "$dest/debs" && apt-get "${opts[@]}" download "${pkgs[@]}") >"$state/download.log" 2>&1 ||
    { cat "$state/download.log" >&2; die "downloading ${pkgs[*]} failed"; }
}

qemu_rme() {
  local build=$1 dest q
  if qemu_has_rme "$(command -v qemu-system-aarch64 || true)"; then
    command -v qemu-system-aarch64
    return 0
  fi
  dest=$(cd "$build" && pwd)/deps/qemu-rme
  q=$dest/qemu-system-aarch64
  if [ -x "$q" ] && qemu_has_rme "$dest/root/usr/bin/qemu-system-aarch64"; then
    qemu_wrapper "$dest"
    echo "$q"
    return 0
  fi
  rm -rf "$dest"
  private_apt_download "$dest" "$(dpkg --print-architecture)" -backports "qemu-system-arm/$(. /etc/os-release && echo "$VERSION_CODENAME")-backports" \
    "qemu-system-data/$(. /etc/os-release && echo "$VERSION_CODENAME")-backports"
  for deb in "$dest"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
  qemu_wrapper "$dest"
  qemu_has_rme "$dest/root/usr/bin/qemu-system-aarch64" ||
    die "the backports QEMU does not run here, or has no FEAT_RME (see: ldd $dest/root/usr/bin/qemu-system-aarch64)"
  echo "$q"
}

# ---- TF-RMM and TF-A --------------------------------------------------------------------

# A clone of URL at TAG in DIR, once. Submodules the build needs come at the
# commits the tag records; -c protocol.file.allow lets insteadOf point at a
# local copy.
clone_at() {
  local url=$1 tag=$2 dir=$3
  if [ -d "$dir/.git" ] && [ "$(git -C "$dir" describe --tags --exact-match 2>/dev/null)" = "$tag" ]; then
    return 0
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  say "cloning $url at $tag into $dir"
  git -c advice.detachedHead=false clone -q --branch "$tag" "$url" "$dir" ||
    die "cannot clone $url: offline? Make it reachable, or point git at a local copy: git config --global url.<copy>.insteadOf $url"
}

build_tf_rmm() {
  local src=$SRC/tf-rmm
  [ -f "$RMM_OUT/rmm.img" ] && return 0
  clone_at "$TFRMM_URL" "$TFRMM_TAG" "$src"
  # TF-RMM's configure updates its submodules every time; the ones a
  # Release build for QEMU does not use are never fetched.
  git -C "$src" config submodule.ext/cpputest.update none
  git -C "$src" config submodule.ext/libspdm.update none
  # A snapshot may lack mbedtls test data the build never reads: the
  # checkout complains, the tree is there.
  git -C "$src" -c protocol.file.allow=always submodule update --init -q >/dev/null 2>&1 || true
  for m in ext/mbedtls/library ext/qcbor/src ext/t_cose/src; do
    [ -d "$src/$m" ] || die "TF-RMM's submodule ${m%%/*/*} is missing; its upstream must be reachable"
  done
  # Release: a Debug v0.7.0 asserts PMUv3p7 at the first RMI_FEATURES, and
  # QEMU's -cpu max has PMUv3p5. TF-RMM's own libc headers go first, then
  # picolibc's for what they lack. Its EL0 app packer needs the pyelftools
  # of Debian's python3.
  say "building TF-RMM $TFRMM_TAG ($TFRMM_CONFIG, Release)"
  rm -rf "$RMM_OUT.tmp"
  PATH=/usr/bin:$PATH CROSS_COMPILE=$CROSS cmake -S "$src" -B "$RMM_OUT.tmp" -G Ninja \
    -DRMM_CONFIG=$TFRMM_CONFIG -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 \
    -DCMAKE_INCLUDE_PATH="$src/lib/libc/include;$PICOLIBC_INCLUDE" >"$CACHE/tf-rmm-build.log" 2>&1 &&
  PATH=/usr/bin:$PATH CROSS_COMPILE=$CROSS cmake --build "$RMM_OUT.tmp" >>"$CACHE/tf-rmm-build.log" 2>&1 ||
    { tail -20 "$CACHE/tf-rmm-build.log" >&2; die "the TF-RMM build failed (log: $CACHE/tf-rmm-build.log)"; }
  mkdir -p "$RMM_OUT"
  cp "$RMM_OUT.tmp/Release/rmm.img" "$RMM_OUT/rmm.img"
  rm -rf "$RMM_OUT.tmp"
}

# TF-A with TF-RMM, built once around a placeholder BL33; each run swaps the
# real BL33 in with TF-A's own fiptool (rme_flash).
build_tf_a() {
  local src=$SRC/tf-a bl33
  [ -f "$TFA_OUT/bl1.bin" ] && [ -f "$TFA_OUT/fip.bin" ] && [ -x "$TFA_OUT/fiptool" ] && return 0
  clone_at "$TFA_URL" "$TFA_TAG" "$src"
  say "building TF-A $TFA_TAG (PLAT=qemu ENABLE_RME=1, GICv3)"
  mkdir -p "$TFA_OUT"
  bl33=$TFA_OUT/placeholder-bl33.bin
  printf '\x00\x00\x00\x14' >"$bl33" # b . : replaced before any run
  make -C "$src" -j"$(nproc)" CROSS_COMPILE=$CROSS PLAT=qemu ENABLE_RME=1 \
    RMM="$RMM_OUT/rmm.img" BL33="$bl33" QEMU_USE_GIC_DRIVER=QEMU_GICV3 \
    BUILD_BASE="$TFA_OUT/build" all fip >"$CACHE/tf-a-build.log" 2>&1 ||
    { tail -20 "$CACHE/tf-a-build.log" >&2; die "the TF-A build failed (log: $CACHE/tf-a-build.log)"; }
  cp "$TFA_OUT/build/qemu/release/bl1.bin" "$TFA_OUT/build/qemu/release/fip.bin" "$TFA_OUT/"
  cp "$src/tools/fiptool/fiptool" "$TFA_OUT/fiptool"
}

rme_stack() {
  build_tf_rmm
  build_tf_a
  echo "$TFA_OUT"
}

# bl1.bin at offset 0, the FIP at 256 KiB: the layout TF-A's qemu_fw.bios has.
rme_flash() {
  local host=$1 out=$2 tmp
  [ -f "$TFA_OUT/fip.bin" ] || die "the TF-A/TF-RMM stack is not built: ./ccdma deps"
  tmp=$(mktemp -d)
  cp "$TFA_OUT/fip.bin" "$tmp/fip.bin"
  "$TFA_OUT/fiptool" update --nt-fw "$host" "$tmp/fip.bin" >/dev/null
  rm -f "$out"
  dd if="$TFA_OUT/bl1.bin" of="$out" bs=4096 conv=notrunc status=none
  dd if="$tmp/fip.bin" of="$out" bs=4096 seek=64 conv=notrunc status=none
  rm -rf "$tmp"
}

# What is there now, fetching nothing.
# Only library/ and include/: the firmware compiles a few of its files,
# and a mirror may lack the test data the rest of the tree holds.
mbedtls() {
  local dir=$SRC/mbedtls-$MBEDTLS_TAG
  if [ ! -f "$dir/library/sha256.c" ]; then
    rm -rf "$dir"
    mkdir -p "$SRC"
    say "cloning $MBEDTLS_URL at $MBEDTLS_TAG (library and include) into $dir"
    git clone -q --no-checkout --branch "$MBEDTLS_TAG" "$MBEDTLS_URL" "$dir" ||
      die "cannot clone $MBEDTLS_URL: offline? Make it reachable, or point git at a local copy: git config --global url.<copy>.insteadOf $MBEDTLS_URL"
    git -C "$dir" sparse-checkout set --no-cone /library/ /include/ /LICENSE
    git -C "$dir" -c advice.detachedHead=false checkout -q "$MBEDTLS_TAG" >/dev/null 2>&1 || true
    [ -f "$dir/library/sha256.c" ] && [ -f "$dir/include/mbedtls/sha256.h" ] ||
      die "the Mbed TLS checkout at $dir is incomplete"
  fi
  echo "$dir"
}

# ---- kvmtool and its KVM host ------------------------------------------------------------

KVMTOOL_OUT=$CACHE/build/kvmtool-$KVMTOOL_SHORT
KVMHOST_OUT=$CACHE/build/kvm-host-arm64

kvmtool() {
  local src=$SRC/kvmtool sysroot=$KVMTOOL_OUT/sysroot
  if [ -x "$KVMTOOL_OUT/lkvm-static" ]; then
    echo "$KVMTOOL_OUT/lkvm-static"
    return 0
  fi
  if [ ! -d "$src/.git" ] || ! git -C "$src" cat-file -e "$KVMTOOL_COMMIT^{commit}" 2>/dev/null; then
    rm -rf "$src"
    mkdir -p "$SRC"
    say "cloning $KVMTOOL_URL into $src"
    git clone -q "$KVMTOOL_URL" "$src" ||
      die "cannot clone $KVMTOOL_URL: offline? Make it reachable, or point git at a local copy: git config --global url.<copy>.insteadOf $KVMTOOL_URL"
  fi
  git -C "$src" -c advice.detachedHead=false checkout -q "$KVMTOOL_COMMIT" ||
    die "kvmtool has no commit $KVMTOOL_SHORT"
  rm -rf "$KVMTOOL_OUT"
  mkdir -p "$KVMTOOL_OUT"
  # Static against Debian's arm64 glibc and libfdt: a sysroot of their
  # packages, unpacked, never installed.
  private_apt_download "$KVMTOOL_OUT" arm64 "" libc6 libc6-dev linux-libc-dev libfdt-dev libfdt1
  for deb in "$KVMTOOL_OUT"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  say "building lkvm-static at $KVMTOOL_SHORT"
  make -C "$src" clean >/dev/null 2>&1 || true
  make -C "$src" -j"$(nproc)" ARCH=arm64 CROSS_COMPILE="$CROSS" \
    CC="${CROSS}gcc --sysroot=$sysroot" LDFLAGS=-static lkvm-static >"$KVMTOOL_OUT/build.log" 2>&1 ||
    { tail -20 "$KVMTOOL_OUT/build.log" >&2; die "building kvmtool failed"; }
  cp "$src/lkvm-static" "$KVMTOOL_OUT/lkvm-static"
  echo "$KVMTOOL_OUT/lkvm-static"
}

kvm_host() {
  local root=$KVMHOST_OUT/root
  if [ -f "$KVMHOST_OUT/Image" ] && [ -x "$KVMHOST_OUT/busybox" ]; then
    echo "$KVMHOST_OUT"
    return 0
  fi
  rm -rf "$KVMHOST_OUT"
  mkdir -p "$KVMHOST_OUT"
  private_apt_download "$KVMHOST_OUT" arm64 "" meta:linux-image-arm64 busybox-static
  for deb in "$KVMHOST_OUT"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
  cp "$(ls "$root"/boot/vmlinuz-* | head -n 1)" "$KVMHOST_OUT/Image"
  cp "$root/bin/busybox" "$KVMHOST_OUT/busybox"
  grep -q '^CONFIG_KVM=y' "$root"/boot/config-* || die "the Debian arm64 kernel has no built-in KVM"
  rm -rf "$root" "$KVMHOST_OUT/debs"
  echo "$KVMHOST_OUT"
}

status() {
  local build=$1 sys local_q
  sys=$(command -v qemu-system-aarch64 || true)
  local_q=$(cd "$build" 2>/dev/null && pwd)/deps/qemu-rme
  if qemu_has_rme "$sys"; then echo "qemu-rme: ok $sys"
  elif [ -x "$local_q/qemu-system-aarch64" ] && qemu_has_rme "$local_q/root/usr/bin/qemu-system-aarch64"; then
    echo "qemu-rme: ok $local_q/qemu-system-aarch64"
  else echo "qemu-rme: unavailable: the system QEMU has no FEAT_RME and bookworm-backports' is not fetched (./ccdma deps fetches it)"; fi
  if [ -f "$TFA_OUT/fip.bin" ] && [ -f "$RMM_OUT/rmm.img" ]; then echo "rme-stack: ok $TFA_OUT"
  else echo "rme-stack: unavailable: TF-A $TFA_TAG and TF-RMM $TFRMM_TAG are not built in $CACHE (./ccdma deps builds them)"; fi
}

case ${1:-} in
  qemu-rme) qemu_rme "${2:?build dir}" ;;
  rme-stack) rme_stack ;;
  rme-flash) rme_flash "${2:?host image}" "${3:?output}" ;;
  mbedtls) mbedtls ;;
  status) status "${2:?build dir}" ;;
  kvmtool) kvmtool ;;
  kvm-host) kvm_host ;;
  *) die "usage: $0 qemu-rme BUILD_DIR | rme-stack | rme-flash HOST OUT | mbedtls | status BUILD_DIR | kvmtool | kvm-host" ;;
esac
