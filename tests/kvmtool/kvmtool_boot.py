#!/usr/bin/env python3
"""Boot ccdma.bin under kvmtool, the VMM that launches realms on FVP.

A Linux arm64 KVM host (Debian's kernel, KVM built in) runs under QEMU TCG
(virt, virtualization=on, GICv3); its initramfs holds busybox, a static
lkvm, ccdma.bin and a disk image with known content, and its /init
(tests/kvmtool/init.sh) runs `lkvm run` with the virtio-mmio or the
virtio-pci transport. lkvm's exit status does not carry the guest's
verdict, so it is judged from the console: the boot line, one line per
self-test, a summary that agrees with them, and the disk round trip, by
the hash of the image the host reports after the run against the one the
firmware must leave (tests/qemu/disk_pattern.py).

Exit status: 0 pass, 1 fail, 77 skipped (kvmtool or the KVM host cannot be
had here; the reason is printed).
"""
import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "qemu"))
import disk_pattern  # noqa: E402

SKIP = 77


def deps(what):
    r = subprocess.run([os.path.join(ROOT, "toolchain", "deps.sh"), what],
                       capture_output=True, text=True)
    if r.returncode != 0:
        why = (r.stderr.strip().splitlines() or ["failed"])[-1].removeprefix("deps: ")
        return None, why
    return r.stdout.strip().splitlines()[-1], None


def expected_disk(before):
    """The image the firmware must leave: as the harness wrote it (read
    region, signature, zeros), with only the write region written."""
    s = disk_pattern
    data = bytearray(before)
    for sector in range(s.WRITE_FIRST, s.WRITE_FIRST + s.WRITE_SECTORS):
        data[sector * s.SECTOR:(sector + 1) * s.SECTOR] = s.sector_bytes(s.write_word, sector)
    return hashlib.sha256(data).hexdigest()


def newc_entry(name, data, mode):
    """One cpio newc member (the format the kernel unpacks)."""
    fields = [0, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    hdr = b"070701" + b"".join(b"%08x" % f for f in fields)
    out = hdr + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4) + data
    return out + b"\0" * (-len(out) % 4)


def initramfs(path, files):
    """files: (name, bytes, mode) in order; directories first."""
    blob = b"".join(newc_entry(n, d, m) for n, d, m in files)
    blob += newc_entry("TRAILER!!!", b"", 0)
    with gzip.open(path, "wb", compresslevel=1) as f:
        f.write(blob)


def judge(out, want_sha):
    errors = []
    boot = re.search(r"^ccdma: el=(\d)->(\d) mode=(\w+)", out, re.M)
    if not boot:
        errors.append("no ccdma boot line: the guest printed nothing on its console")
    elif boot.group(1) != "1" or boot.group(3) != "plain":
        errors.append(f"boot line el={boot.group(1)} mode={boot.group(3)}, expected 1 and plain")
    oks = re.findall(r"^ok \d+ - ", out, re.M)
    not_oks = re.findall(r"^not ok \d+ - .*$", out, re.M)
    summary = re.findall(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", out, re.M)
    if not oks:
        errors.append("no 'ok' lines")
    errors += ["failed check: " + line.strip() for line in not_oks]
    if not summary:
        errors.append("no summary line")
    else:
        passed, failed = int(summary[-1][0]), int(summary[-1][1])
        skipped = int(summary[-1][2] or 0)
        if failed or passed + failed + skipped != len(oks) + len(not_oks):
            errors.append(f"summary {passed}/{failed} disagrees with {len(oks)} ok / "
                          f"{len(not_oks)} not ok lines")
    if not re.search(r"^kvm-host: lkvm exit 0", out, re.M):
        errors.append("lkvm did not end cleanly")
    sha = re.search(r"^kvm-host: disk sha256 ([0-9a-f]{64})", out, re.M)
    if not sha:
        errors.append("no disk hash from the host")
    elif sha.group(1) != want_sha:
        errors.append("disk image after the run is not what the self-tests must leave "
                      f"(sha256 {sha.group(1)}, want {want_sha})")
    return errors


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--image", required=True, help="ccdma.bin")
    p.add_argument("--transport", choices=["mmio", "pci"], default="pci")
    p.add_argument("--qemu", default="qemu-system-aarch64")
    p.add_argument("--timeout", type=float, default=600.0)
    p.add_argument("--log", help="write the console log here")
    p.add_argument("--live", action="store_true", help="stream the console as it comes")
    p.add_argument("--print-cmd", action="store_true")
    a = p.parse_args()
    lkvm, why = deps("kvmtool")
    if lkvm is None:
        print(f"SKIPPED: kvmtool cannot be had: {why}")
        return SKIP
    host, why = deps("kvm-host")
    if host is None:
        print(f"SKIPPED: the KVM host cannot be had: {why}")
        return SKIP
    work = tempfile.mkdtemp(prefix="ccdma-kvmtool-")
    try:
        disk = os.path.join(work, "disk.img")
        before = disk_pattern.create(disk)
        rd = os.path.join(work, "initrd.gz")
        read = lambda f: open(f, "rb").read()  # noqa: E731
        initramfs(rd, [("bin", b"", 0o040755), ("proc", b"", 0o040755),
                       ("sys", b"", 0o040755), ("dev", b"", 0o040755),
                       ("bin/busybox", read(os.path.join(host, "busybox")), 0o100755),
                       ("bin/lkvm", read(lkvm), 0o100755),
                       ("init", read(os.path.join(HERE, "init.sh")), 0o100755),
                       ("ccdma.bin", read(a.image), 0o100644),
                       ("disk.img", read(disk), 0o100644)])
        cmd = [a.qemu, "-M", "virt,virtualization=on,gic-version=3", "-cpu", "max",
               "-smp", "2", "-m", "2G", "-kernel", os.path.join(host, "Image"),
               "-initrd", rd, "-append",
               f"console=ttyAMA0 rdinit=/init quiet ccdma.transport={a.transport}",
               "-display", "none", "-serial", "stdio", "-monitor", "none",
               "-nic", "none", "-no-reboot"]
        if a.print_cmd:
            print(" ".join(cmd))
        out = []
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, text=True, errors="replace")
            for line in proc.stdout:
                out.append(line)
                if a.live:
                    sys.stdout.write(line)
                    sys.stdout.flush()
            proc.wait(timeout=a.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out.append(f"\nTIMEOUT after {a.timeout}s\n")
        text = "".join(out).replace("\r", "")
        if a.log:
            with open(a.log, "w") as f:
                f.write(text)
        errors = judge(text, expected_disk(before))
        if errors:
            if not a.live:
                sys.stdout.write(text[-4000:])
            print("FAIL:\n  - " + "\n  - ".join(errors))
            return 1
        summary = re.findall(r"^\d+ passed, \d+ failed.*$", text, re.M)[-1]
        print(f"PASS: {a.transport}: {summary}; disk round trip checked")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
