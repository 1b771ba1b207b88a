#!/usr/bin/env python3
"""Boot the ccdma firmware under QEMU and judge the run.

The run passes only if QEMU exits 0 within the timeout, the boot line matches
the expected entry EL and mode, there is at least one "ok" line, no
"not ok" line, and a final "N passed, N failed" line with N failed = 0 whose
counts agree with the lines seen. Extra checks (--expect REGEX, --reject
REGEX) and a disk image round trip (--disk, --disk-check) are optional.
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import disk_pattern  # noqa: E402

MACHINES = {
    # configuration -> (-M value, expected entry EL for -bios, for -kernel)
    "plain": ("virt", 1, 1),
    "el2": ("virt,virtualization=on", 2, 2),
    # QEMU boots a Linux Image at NS EL1 even with secure=on (its own stub
    # drops); only -bios and ELF images start at EL3.
    "el3": ("virt,secure=on", 3, 1),
    # FEAT_RME (QEMU 10, -cpu max,x-rme=on): TF-A at EL3 boots from flash
    # (-bios) and runs the host as BL33; the boot line is the realm's.
    "rme": ("virt,secure=on,virtualization=on,gic-version=3", 1, 1),
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--qemu", default="qemu-system-aarch64")
    p.add_argument("--config", choices=sorted(MACHINES), required=True)
    p.add_argument("--machine-extra", default="", help="appended to -M")
    p.add_argument("--boot", choices=["kernel", "bios", "elf", "loader"], required=True,
                   help="loader: the image placed at --load-addr by QEMU's generic loader, "
                        "which starts the CPU there as firmware (no x0)")
    p.add_argument("--load-addr", default="0x48200000")
    p.add_argument("--image", required=True)
    p.add_argument("--memory", default="1G")
    p.add_argument("--cpu", default="cortex-a57")
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--expect-el", type=int, help="override the expected entry EL")
    p.add_argument("--expect-mode", default="plain")
    p.add_argument("--boot-line-prefix", default="ccdma",
                   help="name in the boot line 'NAME: el=N->N mode=...' (another image, "
                        "e.g. the example unikernel, prints its own)")
    p.add_argument("--expect", action="append", default=[], help="regex that must appear")
    p.add_argument("--reject", action="append", default=[], help="regex that must not appear")
    p.add_argument("--expect-exit", type=int, default=0)
    p.add_argument("--expect-not-ok", action="append", default=[], metavar="REGEX",
                   help="a self-test that must fail (a hostile host the run reports); "
                        "every failure must match one of these")
    p.add_argument("--same", nargs=2, action="append", default=[], metavar=("REGEX1", "REGEX2"),
                   help="both must match, and their first groups be equal (e.g. the RIM the "
                        "host predicts and the one the realm reads)")
    p.add_argument("--expect-fatal", metavar="REGEX",
                   help="the run must end in a reported fatal error ('ccdma: FATAL: REGEX') "
                        "with exit status 1; self-test counts are then not judged")
    p.add_argument("--expect-stop", metavar="REGEX",
                   help="the run must end early on a line matching REGEX (the host stopping "
                        "the realm), with --expect-exit's status; self-test counts are then "
                        "not judged")
    p.add_argument("--append", help="kernel command line (bootargs)")
    p.add_argument("--qemu-arg", action="append", default=[], help="extra QEMU argument(s)")
    p.add_argument("--virtio", metavar="DISK",
                   help="attach virtio-blk over a fresh image DISK with known content "
                        "and virtio-rng (modern MMIO, ACCESS_PLATFORM), and check the "
                        "image after QEMU exits")
    p.add_argument("--transport", choices=["mmio", "pci"], default="mmio",
                   help="with --virtio: virtio-mmio devices, or modern virtio-pci ones "
                        "behind QEMU's generic ECAM host bridge")
    p.add_argument("--no-disk-check", action="store_true",
                   help="with --virtio: attach the devices but do not judge the image")
    p.add_argument("--disk-fill", choices=["zero", "random"], default="zero",
                   help="with --virtio: what every byte outside the harness's regions holds")
    p.add_argument("--foreign", action="store_true",
                   help="with --virtio: the disk has no test-disk signature; nothing on it "
                        "may change")
    p.add_argument("--readonly", action="store_true",
                   help="with --virtio: attach the disk read-only; nothing on it may change")
    p.add_argument("--disk-sectors", type=int, default=disk_pattern.SECTORS,
                   help="with --virtio: the disk's capacity in sectors")
    p.add_argument("--extra-disk", action="append", default=[], metavar="test|foreign[:SECTORS]",
                   help="with --virtio: one more virtio-blk disk (DISK.N), a test disk with "
                        "its own salt or a foreign one, judged like the first")
    p.add_argument("--blk-opts", default="", help="appended to every virtio-blk -device "
                   "(e.g. queue-size=4)")
    p.add_argument("--legacy", action="store_true",
                   help="with --virtio (mmio): QEMU's default legacy virtio-mmio "
                        "(version 1) instead of the modern transport")
    p.add_argument("--log", help="write the console log here")
    p.add_argument("--print-cmd", action="store_true")
    p.add_argument("--live", action="store_true",
                   help="just run: stream the console, exit with QEMU's status (the verdict)")
    return p.parse_args()


def disks(a):
    """Every disk of the run: (path, signed, salt, sectors, readonly)."""
    out = [(a.virtio, not a.foreign, 0, a.disk_sectors, a.readonly)]
    for i, spec in enumerate(a.extra_disk, 1):
        kind, _, sectors = spec.partition(":")
        out.append((f"{a.virtio}.{i}", kind == "test", i,
                    int(sectors) if sectors else disk_pattern.SECTORS, False))
    return out


def build_cmd(a):
    machine, bios_el, kernel_el = MACHINES[a.config]
    if a.machine_extra:
        machine += "," + a.machine_extra
    cmd = [a.qemu, "-M", machine, "-cpu", a.cpu, "-m", a.memory,
           "-display", "none", "-serial", "stdio", "-monitor", "none",
           "-nic", "none", "-no-reboot",
           "-semihosting-config", "enable=on,target=native"]
    if a.boot == "bios":
        cmd += ["-bios", a.image]
        expected_el = bios_el
    elif a.boot == "loader":
        cmd += ["-device", f"loader,file={a.image},addr={a.load_addr},cpu-num=0"]
        expected_el = bios_el
    else:
        cmd += ["-kernel", a.image]
        expected_el = kernel_el if a.boot == "kernel" else bios_el
    if a.append is not None:
        # Firmware boots (-bios) cannot take -append: the host reads its
        # bootargs from fw_cfg then (monitor/host/fw_cfg.c).
        if a.boot == "bios" and a.config == "rme":
            cmd += ["-fw_cfg", "name=opt/ccdma/bootargs,string=" + a.append.replace(",", ",,")]
        else:
            cmd += ["-append", a.append]
    if a.virtio:
        # Modern (version 2) transports; iommu_platform makes the devices
        # insist on ACCESS_PLATFORM, as a realm requires.
        kind = "pci" if a.transport == "pci" else "device"
        # disable-legacy: modern only, as a realm's driver requires. A
        # legacy device has no ACCESS_PLATFORM to insist on.
        extra = ",disable-legacy=on" if a.transport == "pci" else ""
        extra = "" if a.legacy else ",iommu_platform=on" + extra
        if not a.legacy:
            cmd += ["-global", "virtio-mmio.force-legacy=false"]
        blk = "," + a.blk_opts if a.blk_opts else ""
        for i, (path, _, _, _, ro) in enumerate(disks(a)):
            cmd += ["-drive", f"if=none,id=disk{i},file={path},format=raw"
                    + (",readonly=on" if ro else ""),
                    "-device", f"virtio-blk-{kind},drive=disk{i}{extra}{blk}"]
        cmd += ["-device", f"virtio-rng-{kind}{extra}"]
    for extra in a.qemu_arg:
        cmd += shlex.split(extra)
    if a.expect_el is not None:
        expected_el = a.expect_el
    return cmd, expected_el


def judge(out, rc, expected_el, a):
    if a.expect_stop is not None: # the run may end before the realm even boots
        return judge_stop(out, rc, a)
    errors = []
    prefix = re.escape(a.boot_line_prefix)
    boot = re.search(rf"^{prefix}: el=(\d)->(\d) mode=(\w+)", out, re.M)
    if not boot:
        errors.append(f"no boot line ('{a.boot_line_prefix}: el=N->N mode=...')")
    else:
        if int(boot.group(1)) != expected_el:
            errors.append(f"entry EL {boot.group(1)}, expected {expected_el}")
        if boot.group(3) != a.expect_mode:
            errors.append(f"mode {boot.group(3)}, expected {a.expect_mode}")
    if a.expect_fatal is not None:
        return errors + judge_fatal(out, rc, a)
    oks = re.findall(r"^ok \d+ - ", out, re.M)
    not_oks = re.findall(r"^not ok \d+ - .*$", out, re.M)
    summary = re.findall(r"^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$", out, re.M)
    if not oks:
        errors.append("no 'ok' lines")
    for line in not_oks:
        if not any(re.search(rx, line) for rx in a.expect_not_ok):
            errors.append("failed check: " + line.strip())
    for rx in a.expect_not_ok:
        if not any(re.search(rx, line) for line in not_oks):
            errors.append(f"no failed check matching '{rx}'")
    if not summary:
        errors.append("no summary line ('N passed, N failed')")
    else:
        passed, failed, skipped = summary[-1]
        skipped = int(skipped or 0)
        if int(failed) != 0 and not a.expect_not_ok:
            errors.append(f"summary reports {failed} failed")
        if int(passed) + skipped != len(oks) or int(failed) != len(not_oks):
            errors.append(f"summary {passed}/{failed} disagrees with {len(oks)} ok / "
                          f"{len(not_oks)} not ok lines")
    if rc != a.expect_exit:
        errors.append(f"QEMU exit status {rc}, expected {a.expect_exit}")
    for rx in a.expect:
        if not re.search(rx, out, re.M):
            errors.append(f"expected output missing: /{rx}/")
    for rx in a.reject:
        m = re.search(rx, out, re.M)
        if m:
            errors.append(f"forbidden output present: {m.group(0)!r}")
    for rx1, rx2 in a.same:
        m1, m2 = re.search(rx1, out, re.M), re.search(rx2, out, re.M)
        if not m1 or not m2:
            errors.append(f"missing for comparison: /{rx1}/ or /{rx2}/")
        elif m1.group(1) != m2.group(1):
            errors.append(f"differ: {m1.group(1)} (/{rx1}/) and {m2.group(1)} (/{rx2}/)")
    return errors


def judge_fatal(out, rc, a):
    """A run that must die: the fatal report, exit status 1, --expect/--reject."""
    errors = []
    if not re.search(rf"^{re.escape(a.boot_line_prefix)}: FATAL: {a.expect_fatal}", out, re.M):
        errors.append(f"no fatal report matching /{a.expect_fatal}/")
    if rc != 1:
        errors.append(f"QEMU exit status {rc}, expected 1 (the fatal verdict)")
    errors += [f"expected output missing: /{rx}/" for rx in a.expect
               if not re.search(rx, out, re.M)]
    errors += [f"forbidden output present: /{rx}/" for rx in a.reject
               if re.search(rx, out, re.M)]
    return errors


def judge_stop(out, rc, a):
    """A run the host must end early: the line, the status, --expect/--reject."""
    errors = []
    if not re.search(a.expect_stop, out, re.M):
        errors.append(f"no stop matching /{a.expect_stop}/")
    if rc != a.expect_exit:
        errors.append(f"QEMU exit status {rc}, expected {a.expect_exit}")
    errors += [f"expected output missing: /{rx}/" for rx in a.expect
               if not re.search(rx, out, re.M)]
    errors += [f"forbidden output present: /{rx}/" for rx in a.reject
               if re.search(rx, out, re.M)]
    return errors


def run_live(cmd, a):
    """Console straight to the terminal; with --log, also into the log."""
    if not a.log:
        try:
            return subprocess.run(cmd, stdin=subprocess.DEVNULL, timeout=a.timeout).returncode
        except subprocess.TimeoutExpired:
            print(f"\nccdma: QEMU did not finish within {a.timeout:.0f}s", file=sys.stderr)
            return 124
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    timer = threading.Timer(a.timeout, proc.kill)
    timer.start()
    with open(a.log, "wb") as log:
        for line in proc.stdout:
            sys.stdout.buffer.write(line)
            sys.stdout.flush()
            log.write(line.replace(b"\r\n", b"\n"))
    rc = proc.wait()
    if not timer.is_alive():
        print(f"\nccdma: QEMU did not finish within {a.timeout:.0f}s", file=sys.stderr)
        return 124
    timer.cancel()
    return rc


def main():
    a = parse_args()
    cmd, expected_el = build_cmd(a)
    before = []
    if a.virtio:
        before = [disk_pattern.create(path, signed, salt, sectors, a.disk_fill)
                  for path, signed, salt, sectors, _ in disks(a)]
    if a.print_cmd:
        print(" ".join(shlex.quote(c) for c in cmd))
    if a.live:
        return run_live(cmd, a)
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=a.timeout)
        out, rc = proc.stdout.decode(errors="replace"), proc.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        sys.stdout.write(out)
        print(f"\nFAIL: timeout after {a.timeout:.0f}s (QEMU killed)")
        return 1
    out = out.replace("\r\n", "\n")
    elapsed = time.monotonic() - start
    sys.stdout.write(out)
    if a.log:
        with open(a.log, "w") as f:
            f.write(out)
    errors = judge(out, rc, expected_el, a)
    if a.virtio and not a.no_disk_check:
        # A disk is written only if it is a writable test disk; nothing
        # else on any disk may change.
        for (path, signed, salt, _, ro), orig in zip(disks(a), before):
            errors += [f"disk image {os.path.basename(path)}: {p}"
                       for p in disk_pattern.check(path, orig, signed and not ro, salt)]
        # The devices were attached: their self-tests must have run, not
        # skipped (a probe regression would otherwise pass silently).
        if a.boot_line_prefix == "ccdma":
            first_written = not a.foreign and not a.readonly
            for check in (("virtio_blk: read back what was written" if first_written else
                           "virtio_blk: not written: "),
                          "virtio_rng: private buffer filled"):
                if not re.search(r"^ok \d+ - " + re.escape(check), out, re.M):
                    errors.append(f"device self-test did not pass: {check!r}")
    if errors:
        print(f"\nFAIL ({elapsed:.1f}s):")
        for e in errors:
            print("  - " + e)
        return 1
    print(f"\nPASS ({elapsed:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
