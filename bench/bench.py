#!/usr/bin/env python3
"""ccdma benchmarks: run them, write CSV, plot, summarise, check the output.

  bench.py host --bench-bin BIN --out DIR [--quick] [--check]
  bench.py qemu --fw-dir DIR --out DIR [--quick] [--check] [--qemu QEMU]
  bench.py all  --bench-bin BIN --fw-dir DIR --out DIR [--quick] [--check]

host runs the host benchmark (bench/host, which writes host_*.csv itself)
and plots it. qemu boots the firmware in a realm and plain, each with the
boot option ccdma.bench=1 (ccdma.bench_quick=1 with --quick) under
-icount shift=0,sleep=off and dtb-randomness=off, and turns its "bench:"
lines into qemu_*.csv. Every command also writes DIR/summary.md from the
CSV files present. --check then verifies that the files of the parts run
exist and are well-formed; it never looks at speed. The method is in
docs/benchmarks.md.
"""
import argparse
import csv
import datetime
import math
import os
import re
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT_TEST = os.path.join(ROOT, "tests", "qemu", "boot_test.py")

HOST_SIZES = [64 << i for i in range(13)]            # 64 B .. 256 KiB
DIRECTIONS = ["to_device", "from_device", "bidirectional"]
BLK_SIZES = [4096 << i for i in range(7)]            # 4 KiB .. 256 KiB
BLK_OPS = ["read", "write"]
BLK_BUFFERS = ["private", "shared", "convert"]
MODES = ["realm", "plain"]
MIB = 1 << 20
SKIP = 77  # ctest SKIP_RETURN_CODE: no gnuplot, so no PNG can be made

HOST_CSV = {
    "host_map.csv": ["size", "direction", "bounce_ns", "bounce_iqr_ns", "direct_ns",
                     "direct_iqr_ns", "memcpy_ns", "memcpy_iqr_ns", "bounce_over_memcpy",
                     "direct_over_memcpy", "samples"],
    "host_occupancy.csv": ["target_pct", "occupancy_pct", "held_mappings", "map_unmap_ns",
                           "iqr_ns", "segment_probes_per_map", "samples"],
    "host_coherent.csv": ["size", "path", "alloc_free_ns", "iqr_ns", "rsi_calls_per_op",
                          "ipa_state_set_per_op", "granules_converted_per_op", "samples"],
}
QEMU_CSV = {
    "qemu_blk.csv": ["mode", "op", "buffer", "size", "reps", "requests_per_rep",
                     "ticks_per_request", "bytes_per_vsec", "raw_best_ticks_per_request",
                     "raw_bytes_per_vsec", "polls_per_request_max", "fit_residual_ticks",
                     "rsi_calls_per_mib", "ipa_state_set_per_mib", "granules_per_mib", "path"],
    "qemu_blk_ratio.csv": ["mode", "op", "size", "bounce_bytes_per_vsec",
                           "direct_bytes_per_vsec", "bounce_over_direct",
                           "convert_bytes_per_vsec", "convert_over_direct",
                           "raw_bounce_over_direct"],
    "qemu_poll_fit.csv": ["mode", "ticks_per_extra_poll", "lines_fitted", "max_residual_ticks"],
    "qemu_mem.csv": ["mode", "size", "direction", "iters", "bounce_ns", "direct_ns",
                     "memcpy_ns", "bounce_over_memcpy", "direct_over_memcpy"],
    "qemu_rsi.csv": ["mode", "phase", "bytes", "rsi_calls", "ipa_state_set", "granules",
                     "rsi_calls_per_mib", "granules_per_mib"],
    "qemu_crosscheck.csv": ["mode", "counter", "guest", "monitor", "match"],
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fail(msg):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(1)


def write_csv(out, name, header, rows):
    path = os.path.join(out, name)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {path}")


def read_csv(out, name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def human(n):
    n = int(n)
    return f"{n >> 10} KiB" if n >= 1024 else f"{n} B"


def rate(bps):
    return f"{bps / MIB:.1f} MiB/s"


# ---- host -------------------------------------------------------------------------

def run_host(a):
    if not a.bench_bin or not os.access(a.bench_bin, os.X_OK):
        fail(f"no benchmark binary {a.bench_bin!r} (build the host preset)")
    cmd = [a.bench_bin, "--out", a.out] + (["--quick"] if a.quick else [])
    print("$ " + " ".join(cmd), flush=True)
    if subprocess.run(cmd).returncode != 0:
        fail("host benchmark failed")


def size_tics(sizes):
    return "set xtics (" + ", ".join(f"'{human(x)}' {x}" for x in sizes) + ")"


def datablock(name, points):
    """An inline gnuplot data block: one series, so lines join its points."""
    return f"${name} << EOD\n" + "".join(f"{x} {y}\n" for x, y in points) + "EOD\n"


def plot_host(a, gnuplot):
    rows = read_csv(a.out, "host_map.csv")
    blocks, plots = [], []
    colors = {"to_device": "#1f77b4", "from_device": "#d62728", "bidirectional": "#2ca02c"}
    for d in DIRECTIONS:
        pts = [(r["size"], r["bounce_over_memcpy"]) for r in rows if r["direction"] == d]
        blocks.append(datablock(d, pts))
        plots.append(f"${d} with linespoints lw 2 pt 7 lc rgb '{colors[d]}' title 'bounce, {d}'")
    pts = [(r["size"], r["direct_over_memcpy"]) for r in rows if r["direction"] == "to_device"]
    blocks.append(datablock("direct", pts))
    plots.append("$direct with linespoints lw 2 pt 5 lc rgb '#7f7f7f' "
                 "title 'direct (already shared memory)'")
    plots.append("1 with lines dt 2 lc rgb 'black' title 'one memcpy'")
    script = f"""# Generated by bench/bench.py from host_map.csv.
set terminal pngcairo size 1000,620 font ',11' noenhanced
set output 'host_overhead.png'
{''.join(blocks)}set title 'ccdma host: streaming map+unmap cost / one memcpy of the same size (medians)'
set xlabel 'mapping size'
set ylabel 'cost / memcpy'
set logscale xy 2
{size_tics(HOST_SIZES[::2])}
set xrange [48:350000]
set grid
set key top right
plot {', '.join(plots)}
"""
    gnuplot_run(gnuplot, a.out, os.path.join(a.out, "host_overhead.gp"), script)


def gnuplot_run(gnuplot, out, gp, script):
    with open(gp, "w") as f:
        f.write(script)
    r = subprocess.run([gnuplot, os.path.basename(gp)], cwd=out, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"gnuplot failed on {gp}:\n{r.stderr}")
    print(f"wrote {gp[:-3]}.png")


# ---- QEMU -------------------------------------------------------------------------

KV = re.compile(r"(\w+)=(\S+)")


def kv(text):
    return {k: v for k, v in KV.findall(text)}


def qemu_command(a, mode):
    fw = a.fw_dir
    args = [sys.executable, BOOT_TEST, "--live", "--print-cmd", "--qemu", a.qemu,
            "--timeout", str(a.timeout), "--machine-extra", "dtb-randomness=off",
            "--append", "ccdma.bench_quick=1" if a.quick else "ccdma.bench=1",
            # Virtual time advances exactly 1 ns per instruction, and
            # does not follow the host's clock while the CPU is idle.
            "--qemu-arg", "-icount shift=0,sleep=off",
            "--qemu-arg", "-global virtio-mmio.force-legacy=false"]
    if a.disk == "null":
        # A device that completes every request at once, reads zeros and
        # drops writes: what is left is the guest's side of each request.
        drive = "-blockdev driver=null-co,node-name=bench0,size=67108864,read-zeroes=on"
    else:
        img = os.path.join(a.out, f"bench-disk-{mode}.img")
        with open(img, "wb") as f:
            f.truncate(64 * MIB)
        drive = f"-drive if=none,id=bench0,file={img},format=raw"
    args += ["--qemu-arg", drive,
             "--qemu-arg", "-device virtio-blk-device,drive=bench0,iommu_platform=on"]
    if mode == "realm":
        args += ["--config", "el2", "--boot", "elf", "--memory", "3G",
                 "--image", os.path.join(fw, "ccdma-realm.elf")]
    else:
        args += ["--config", "plain", "--boot", "kernel", "--image", os.path.join(fw, "ccdma.bin")]
    return args


def run_qemu_mode(a, mode):
    cmd = qemu_command(a, mode)
    log = os.path.join(a.out, f"qemu-{mode}.log")
    print(f"QEMU {mode}: booting with {'ccdma.bench_quick=1' if a.quick else 'ccdma.bench=1'} "
          f"(console in {log})", flush=True)
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    out = r.stdout.replace("\r\n", "\n")
    with open(log, "w") as f:
        f.write(out + r.stderr)
    qemu_cmd = out.splitlines()[0] if out else ""
    if r.returncode != 0:
        tail = "\n".join(out.splitlines()[-15:])
        fail(f"QEMU {mode} run failed (exit status {r.returncode}):\n{tail}\n(see {log})")
    return parse_qemu(out, mode, log), qemu_cmd


def parse_qemu(out, mode, log):
    res = {"mode": mode, "mem": [], "blk": [], "steady": None, "totals": None,
           "monitor": None, "begin": None, "errors": []}
    for line in out.splitlines():
        if line.startswith("monitor: counters "):
            res["monitor"] = {k: int(v) for k, v in kv(line).items()}
            continue
        if not line.startswith("bench: "):
            continue
        f = line.split()
        what = f[1]
        if what == "begin":
            res["begin"] = kv(line)
        elif what == "error":
            res["errors"].append(line)
        elif what == "mem":
            d = kv(line)
            res["mem"].append({"direction": f[2], "size": int(f[3]), "iters": int(d["iters"]),
                               "bounce": int(d["bounce_ticks"]), "direct": int(d["direct_ticks"]),
                               "memcpy": int(d["memcpy_ticks"])})
        elif what == "blk" and f[2] == "steady":
            res["steady"] = {k: int(v) for k, v in kv(line).items()}
        elif what == "blk" and f[2] in BLK_OPS:
            d = kv(line)
            res["blk"].append({"op": f[2], "buffer": f[3], "size": int(f[4]),
                               "requests": int(d["requests"]), "bytes": int(d["bytes"]),
                               "ticks": int(d["ticks"]), "polls": int(d["polls"]),
                               "rsi": int(d["rsi_calls"]),
                               "sets": int(d["ipa_state_set"]), "granules": int(d["granules"]),
                               "path": d["path"]})
        elif what == "totals":
            res["totals"] = {k: int(v) for k, v in kv(line).items()}
    if res["errors"]:
        fail(f"QEMU {mode}: the benchmark reported errors:\n" + "\n".join(res["errors"]) +
             f"\n(see {log})")
    if not res["begin"] or not res["totals"]:
        fail(f"QEMU {mode}: no 'bench: begin' or 'bench: totals' line (see {log})")
    return res


def poll_cost(blk):
    """Ticks per extra poll of the used ring, fitted over the repetitions of
    every configuration (one intercept each): ticks = work + K * polls.
    None when no configuration polled differently from one repetition to
    the next."""
    groups = {}
    for x in blk:
        groups.setdefault((x["op"], x["buffer"], x["size"]), []).append(x)
    num = den = 0.0
    for reps in groups.values():
        mt = statistics.fmean(x["ticks"] for x in reps)
        mp = statistics.fmean(x["polls"] for x in reps)
        num += sum((x["ticks"] - mt) * (x["polls"] - mp) for x in reps)
        den += sum((x["polls"] - mp) ** 2 for x in reps)
    return num / den if den else None


def tabulate_qemu(runs):
    """Rows for the qemu_*.csv files, from the parsed runs."""
    blk, ratio, mem, rsi, cross, fit = [], [], [], [], [], []
    fitted = {r["mode"]: poll_cost(r["blk"]) for r in runs}
    for r in runs:
        mode, frq = r["mode"], int(r["begin"]["cntfrq"])
        # The loop is the same code in both boots: borrow the other boot's
        # fit if this one had no variation to fit (a quick run can).
        k = fitted[mode]
        if k is None:
            k = next((v for v in fitted.values() if v is not None), 0.0)
        worst = 0.0
        work, raw = {}, {}
        for op in BLK_OPS:
            for buf in BLK_BUFFERS:
                for size in BLK_SIZES:
                    reps = [x for x in r["blk"] if (x["op"], x["buffer"], x["size"]) == (op, buf, size)]
                    if not reps:
                        continue
                    n = reps[0]["requests"]
                    # The guest's virtual time per request with the wait
                    # for QEMU taken out: one poll per request is kept.
                    per_req = [(x["ticks"] - k * (x["polls"] - x["requests"])) / x["requests"]
                               for x in reps]
                    tpr = statistics.fmean(per_req)
                    resid = max(abs(v - tpr) for v in per_req)
                    worst = max(worst, resid)
                    best = min(x["ticks"] for x in reps) / n
                    total = sum(x["bytes"] for x in reps) / MIB
                    work[(op, buf, size)] = size * frq / tpr
                    raw[(op, buf, size)] = size * frq / best
                    blk.append([mode, op, buf, size, len(reps), n, f"{tpr:.2f}",
                                f"{work[(op, buf, size)]:.0f}", f"{best:.2f}",
                                f"{raw[(op, buf, size)]:.0f}",
                                f"{max(x['polls'] / x['requests'] for x in reps):.2f}",
                                f"{resid:.3f}",
                                f"{sum(x['rsi'] for x in reps) / total:.3f}",
                                f"{sum(x['sets'] for x in reps) / total:.3f}",
                                f"{sum(x['granules'] for x in reps) / total:.3f}",
                                reps[-1]["path"]])
        fit.append([mode, f"{k:.4f}", len(r["blk"]), f"{worst:.3f}"])
        for op in BLK_OPS:
            for size in BLK_SIZES:
                p, s_, c = (work.get((op, b, size)) for b in BLK_BUFFERS)
                rp, rs = raw.get((op, "private", size)), raw.get((op, "shared", size))
                if p and s_:
                    ratio.append([mode, op, size, f"{p:.0f}", f"{s_:.0f}", f"{s_ / p:.3f}",
                                  f"{c:.0f}" if c else "", f"{s_ / c:.3f}" if c else "",
                                  f"{rs / rp:.3f}"])
        for m in r["mem"]:
            ns = {k: m[k] * 1e9 / frq / m["iters"] for k in ("bounce", "direct", "memcpy")}
            mem.append([mode, m["size"], m["direction"], m["iters"], f"{ns['bounce']:.1f}",
                        f"{ns['direct']:.1f}", f"{ns['memcpy']:.1f}",
                        f"{ns['bounce'] / ns['memcpy']:.4g}", f"{ns['direct'] / ns['memcpy']:.4g}"])
        phases = []
        if r["steady"]:
            st = r["steady"]
            phases.append(("steady", st["bytes"], st["rsi_calls"], st["ipa_state_set"],
                           st["granules"]))
        conv = [x for x in r["blk"] if x["buffer"] == "convert"]
        if conv:
            phases.append(("convert", sum(x["bytes"] for x in conv), sum(x["rsi"] for x in conv),
                           sum(x["sets"] for x in conv), sum(x["granules"] for x in conv)))
        for name, nbytes, calls, sets, gran in phases:
            mib = nbytes / MIB
            rsi.append([mode, name, nbytes, calls, sets, gran, f"{calls / mib:.3f}",
                        f"{gran / mib:.3f}"])
        mon, tot = r["monitor"], r["totals"]
        if mon:
            # The guest prints its totals just before the exit host call,
            # which the monitor counts as one more RSI call.
            for key, g, m in [("rsi_calls (+1 exit host call)", tot["rsi_calls"] + 1, mon["rsi_calls"]),
                              ("ipa_state_set", tot["ipa_state_set"], mon["ipa_state_set"]),
                              ("granules_to_shared", tot["granules_to_shared"], mon["granules_to_shared"]),
                              ("granules_to_private", tot["granules_to_private"], mon["granules_to_private"])]:
                cross.append([mode, key, g, m, "yes" if g == m else "NO"])
    return {"qemu_blk.csv": blk, "qemu_blk_ratio.csv": ratio, "qemu_poll_fit.csv": fit,
            "qemu_mem.csv": mem, "qemu_rsi.csv": rsi, "qemu_crosscheck.csv": cross}


def as_dicts(tables, name):
    return [dict(zip(QEMU_CSV[name], r)) for r in tables[name]]


def print_qemu(tables):
    ratio = as_dicts(tables, "qemu_blk_ratio.csv")
    blk = {(r["mode"], r["op"], r["buffer"], r["size"]): r for r in as_dicts(tables, "qemu_blk.csv")}
    for r in as_dicts(tables, "qemu_poll_fit.csv"):
        print(f"\nQEMU {r['mode']}: waiting for QEMU's I/O thread costs {float(r['ticks_per_extra_poll']):.3f} "
              f"ticks per extra poll (fit over {r['lines_fitted']} lines); with it taken out, "
              f"repetitions agree within {r['max_residual_ticks']} ticks per request")
    for mode in MODES:
        rows = [r for r in ratio if r["mode"] == mode]
        if not rows:
            continue
        print(f"\nQEMU {mode}: virtio-blk sequential I/O, bytes per virtual second of guest work; "
              "bounce/direct = time ratio")
        print(f"{'op':6} {'size':>8} {'private (bounce)':>17} {'shared (direct)':>16} "
              f"{'bounce/direct':>14} {'convert':>14} {'RSI/MiB: bounce':>16} {'direct':>7} "
              f"{'convert':>8}")
        for r in rows:
            op, size = r["op"], r["size"]
            rpm = [blk.get((mode, op, b, size), {}).get("rsi_calls_per_mib", "") for b in BLK_BUFFERS]
            conv = rate(float(r["convert_bytes_per_vsec"])) if r["convert_bytes_per_vsec"] else ""
            print(f"{op:6} {human(size):>8} {rate(float(r['bounce_bytes_per_vsec'])):>17} "
                  f"{rate(float(r['direct_bytes_per_vsec'])):>16} "
                  f"{float(r['bounce_over_direct']):>14.2f} {conv:>14} "
                  f"{rpm[0]:>16} {rpm[1]:>7} {rpm[2]:>8}")
    for r in as_dicts(tables, "qemu_rsi.csv"):
        print(f"QEMU {r['mode']}: {r['phase']} I/O: {r['rsi_calls']} RSI calls ({r['ipa_state_set']} "
              f"IPA_STATE_SET) and {r['granules']} granules converted for "
              f"{int(r['bytes']) / MIB:.1f} MiB = {r['rsi_calls_per_mib']} RSI calls per MiB")
    for r in as_dicts(tables, "qemu_crosscheck.csv"):
        print(f"QEMU {r['mode']}: cross-check {r['counter']}: guest {r['guest']}, "
              f"monitor {r['monitor']}: {r['match']}")
    for mode in MODES:
        rows = [r for r in as_dicts(tables, "qemu_mem.csv")
                if r["mode"] == mode and r["direction"] == "to_device"]
        if rows:
            print(f"QEMU {mode}: in-guest map+unmap / memcpy (to_device): " +
                  ", ".join(f"{human(r['size'])} {float(r['bounce_over_memcpy']):.1f}x" for r in rows))


def plot_qemu(a, gnuplot):
    ratio = read_csv(a.out, "qemu_blk_ratio.csv")
    mem = read_csv(a.out, "qemu_mem.csv")
    blocks, blk, mp = [], [], []
    styles = {("realm", "read"): "'#d62728' pt 7", ("realm", "write"): "'#ff7f0e' pt 5",
              ("plain", "read"): "'#1f77b4' pt 7", ("plain", "write"): "'#17becf' pt 5"}
    for (m, o), st in styles.items():
        blocks.append(datablock(f"{m}_{o}", [(r["size"], r["bounce_over_direct"]) for r in ratio
                                             if r["mode"] == m and r["op"] == o]))
        blk.append(f"${m}_{o} with linespoints lw 2 lc rgb {st} title '{m} {o}'")
    # The copies are the same code in both boots (and the figures are
    # identical): the realm's are drawn.
    colors = {"to_device": "#1f77b4", "from_device": "#d62728", "bidirectional": "#2ca02c"}
    for d in DIRECTIONS:
        blocks.append(datablock(f"mem_{d}", [(r["size"], r["bounce_over_memcpy"]) for r in mem
                                             if r["mode"] == "realm" and r["direction"] == d]))
        mp.append(f"$mem_{d} with linespoints lw 2 pt 7 lc rgb '{colors[d]}' title 'bounce, {d}'")
    script = f"""# Generated by bench/bench.py from qemu_blk_ratio.csv and qemu_mem.csv.
set terminal pngcairo size 1300,560 font ',11' noenhanced
set output 'qemu_overhead.png'
{''.join(blocks)}set logscale xy 2
set grid
set multiplot layout 1,2 title 'ccdma in QEMU (-icount shift=0): virtual-time cost of bounce buffering'
set title 'virtio-blk: time per request, private (bounced) / shared (direct)'
set xlabel 'request size'
set ylabel 'bounce / direct'
{size_tics(BLK_SIZES)}
set xrange [3000:350000]
set key top left
plot {', '.join(blk)}, 1 with lines dt 2 lc rgb 'black' title 'no overhead'
set title 'in-guest map+unmap through bounce / one memcpy (realm)'
set xlabel 'mapping size'
set ylabel 'bounce / memcpy'
{size_tics(HOST_SIZES[::2])}
set xrange [48:350000]
set key top right
plot {', '.join(mp)}, 1 with lines dt 2 lc rgb 'black' title 'one memcpy'
unset multiplot
"""
    gnuplot_run(gnuplot, a.out, os.path.join(a.out, "qemu_overhead.gp"), script)


def run_qemu(a):
    if not a.fw_dir:
        fail("--fw-dir is required")
    for img in ("ccdma-realm.elf", "ccdma.bin"):
        if not os.path.exists(os.path.join(a.fw_dir, img)):
            fail(f"no {img} in {a.fw_dir} (build the aarch64-qemu preset)")
    runs, cmds = [], {}
    for mode in MODES:
        res, cmd = run_qemu_mode(a, mode)
        runs.append(res)
        cmds[mode] = cmd
    tables = tabulate_qemu(runs)
    for name, header in QEMU_CSV.items():
        write_csv(a.out, name, header, tables[name])
    with open(os.path.join(a.out, "qemu_commands.txt"), "w") as f:
        for mode in MODES:
            f.write(f"{mode}: {cmds[mode]}\n")
    print_qemu(tables)


# ---- summary ------------------------------------------------------------------------

def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def machine_info(a):
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info = [f"host: {cpu}, {os.cpu_count()} CPUs, load average "
            f"{os.getloadavg()[0]:.2f} at the end of the run"]
    try:
        q = subprocess.run([a.qemu, "--version"], capture_output=True, text=True).stdout
        info.append("QEMU: " + q.splitlines()[0])
    except (OSError, IndexError):
        pass
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        if rev:
            info.append(f"source: commit {rev} plus any uncommitted changes")
    except OSError:
        pass
    return info


def write_summary(a):
    out = []
    hm = read_csv(a.out, "host_map.csv")
    occ = read_csv(a.out, "host_occupancy.csv")
    coh = read_csv(a.out, "host_coherent.csv")
    ratio = read_csv(a.out, "qemu_blk_ratio.csv")
    rsi = read_csv(a.out, "qemu_rsi.csv")
    cross = read_csv(a.out, "qemu_crosscheck.csv")
    qmem = read_csv(a.out, "qemu_mem.csv")
    qblk = read_csv(a.out, "qemu_blk.csv")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.append(f"# ccdma benchmark summary ({'quick' if a.quick else 'full'} run)\n")
    out.append(f"Produced by `{a.command}` on {when}. Method: docs/benchmarks.md.\n")
    out += [f"- {x}" for x in machine_info(a)]
    out.append("")
    if hm:
        out.append("## Host: streaming map+unmap, ratio to one memcpy of the same size\n")
        out.append("Median per operation over repeated batches; CCA encoding on the host "
                   "realm model; dma-debug off. Full data: host_map.csv; plot: "
                   "host_overhead.png.\n")
        rows = []
        for size in HOST_SIZES:
            r = {x["direction"]: x for x in hm if int(x["size"]) == size}
            if len(r) < 3:
                continue
            rows.append([human(size), f"{float(r['to_device']['memcpy_ns']):.1f}"] +
                        [f"{float(r[d]['bounce_ns']):.1f} ({float(r[d]['bounce_over_memcpy']):.2f}x)"
                         for d in DIRECTIONS] +
                        [f"{float(r['to_device']['direct_ns']):.1f} "
                         f"({float(r['to_device']['direct_over_memcpy']):.2f}x)"])
        out.append(md_table(["size", "memcpy ns", "bounce to_device ns", "bounce from_device ns",
                             "bounce bidirectional ns", "direct ns"], rows))
        out.append("")
    if occ:
        out.append("## Host: bounce allocator against pool occupancy (fragmented pool)\n")
        out.append(md_table(["target", "occupancy", "held mappings", "map+unmap 4 KiB ns (IQR)",
                             "segment probes per map"],
                            [[f"{r['target_pct']}%", f"{float(r['occupancy_pct']):.1f}%",
                              r["held_mappings"],
                              f"{float(r['map_unmap_ns']):.1f} ({float(r['iqr_ns']):.1f})",
                              r["segment_probes_per_map"]] for r in occ]))
        out.append("")
    if coh:
        out.append("## Host: coherent allocation, atomic pool against a converting allocation\n")
        out.append(md_table(["size", "path", "alloc+free ns", "RSI calls per op",
                             "IPA_STATE_SET per op", "granules per op"],
                            [[human(r["size"]), r["path"], f"{float(r['alloc_free_ns']):.1f}",
                              r["rsi_calls_per_op"], r["ipa_state_set_per_op"],
                              r["granules_converted_per_op"]] for r in coh]))
        out.append("")
    if ratio:
        out.append("## QEMU: virtio-blk, private (bounced) against shared (direct) buffers\n")
        out.append("Bytes per virtual second of guest work under `-icount shift=0,sleep=off`: "
                   "the virtual time of each request with the wait for QEMU's I/O thread "
                   "taken out (see docs/benchmarks.md); bounce/direct is the time ratio. "
                   "Full data: qemu_blk.csv; plot: qemu_overhead.png.\n")
        for r in read_csv(a.out, "qemu_poll_fit.csv") or []:
            out.append(f"- {r['mode']}: {float(r['ticks_per_extra_poll']):.3f} ticks per extra "
                       f"poll, fitted over {r['lines_fitted']} lines; repetitions then agree "
                       f"within {r['max_residual_ticks']} ticks per request.")
        out.append("")
        rpm = {(r["mode"], r["op"], r["buffer"], r["size"]): r["rsi_calls_per_mib"] for r in qblk or []}
        out.append(md_table(["mode", "op", "size", "bounce", "direct", "bounce/direct",
                             "RSI calls/MiB: bounce", "direct", "converting per request"],
                            [[r["mode"], r["op"], human(r["size"]),
                              rate(float(r["bounce_bytes_per_vsec"])),
                              rate(float(r["direct_bytes_per_vsec"])),
                              f"{float(r['bounce_over_direct']):.2f}"] +
                             [rpm.get((r["mode"], r["op"], b, r["size"]), "") for b in BLK_BUFFERS]
                             for r in ratio]))
        out.append("")
    if rsi:
        out.append("## QEMU: RSI calls during I/O\n")
        for r in rsi:
            verdict = ""
            if r["phase"] == "steady":
                verdict = (" Steady-state I/O needs **no** RSI call." if int(r["rsi_calls"]) == 0
                           else " Steady-state I/O **does** make RSI calls.")
            out.append(f"- {r['mode']}, {r['phase']}: {r['rsi_calls']} RSI calls "
                       f"({r['ipa_state_set']} IPA_STATE_SET), {r['granules']} granules converted "
                       f"for {int(r['bytes']) / MIB:.1f} MiB = {r['rsi_calls_per_mib']} RSI "
                       f"calls/MiB, {r['granules_per_mib']} granules/MiB.{verdict}")
        out.append("")
    if cross:
        out.append("Cross-check of the realm's own counters against the monitor's final line: " +
                   "; ".join(f"{r['counter']} {r['guest']} = {r['monitor']} ({r['match']})"
                             for r in cross) + ".\n")
    if qmem:
        out.append("## QEMU: in-guest map+unmap through bounce, ratio to memcpy\n")
        rows = []
        for mode in MODES:
            for size in HOST_SIZES:
                r = {x["direction"]: x for x in qmem if x["mode"] == mode and int(x["size"]) == size}
                if len(r) == 3:
                    rows.append([mode, human(size), f"{float(r['to_device']['memcpy_ns']):.0f}"] +
                                [f"{float(r[d]['bounce_over_memcpy']):.2f}" for d in DIRECTIONS] +
                                [f"{float(r['to_device']['direct_over_memcpy']):.3g}"])
        out.append(md_table(["mode", "size", "memcpy virtual ns", "to_device", "from_device",
                             "bidirectional", "direct"], rows))
        out.append("")
    path = os.path.join(a.out, "summary.md")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")


# ---- checks -----------------------------------------------------------------------------

def number(v):
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


def check_csv(out, name, header, problems):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        problems.append(f"{name}: missing")
        return []
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0] != header:
        problems.append(f"{name}: header {rows[0] if rows else None}, expected {header}")
        return []
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(header):
            problems.append(f"{name}:{i}: {len(r)} columns, expected {len(header)}")
    if len(rows) < 2:
        problems.append(f"{name}: no data rows")
    return [dict(zip(header, r)) for r in rows[1:] if len(r) == len(header)]


def need_numbers(name, rows, cols, problems, positive=True):
    for i, r in enumerate(rows, 2):
        for c in cols:
            x = number(r[c])
            if x is None or (positive and x <= 0) or (not positive and x < 0):
                problems.append(f"{name}:{i}: {c} = {r[c]!r} is not a "
                                f"{'positive' if positive else 'non-negative'} number")


def check_png(out, name, problems):
    path = os.path.join(out, name)
    try:
        with open(path, "rb") as f:
            if f.read(8) != PNG_MAGIC:
                problems.append(f"{name}: not a PNG")
    except OSError:
        problems.append(f"{name}: missing")


def check_host(out, problems):
    rows = check_csv(out, "host_map.csv", HOST_CSV["host_map.csv"], problems)
    need_numbers("host_map.csv", rows, ["bounce_ns", "direct_ns", "memcpy_ns",
                                        "bounce_over_memcpy", "direct_over_memcpy"], problems)
    seen = {(number(r["size"]), r["direction"]) for r in rows}
    for size in HOST_SIZES:
        for d in DIRECTIONS:
            if (size, d) not in seen:
                problems.append(f"host_map.csv: no row for {size} bytes {d}")
    rows = check_csv(out, "host_occupancy.csv", HOST_CSV["host_occupancy.csv"], problems)
    need_numbers("host_occupancy.csv", rows, ["map_unmap_ns"], problems)
    # A map that takes back a run it just released searches nothing: 0 probes.
    need_numbers("host_occupancy.csv", rows, ["occupancy_pct", "segment_probes_per_map"], problems,
                 positive=False)
    targets = {number(r["target_pct"]) for r in rows}
    for t in (0, 95):
        if t not in targets:
            problems.append(f"host_occupancy.csv: no row at {t}% occupancy")
    rows = check_csv(out, "host_coherent.csv", HOST_CSV["host_coherent.csv"], problems)
    need_numbers("host_coherent.csv", rows, ["alloc_free_ns"], problems)
    need_numbers("host_coherent.csv", rows, ["rsi_calls_per_op", "ipa_state_set_per_op",
                                             "granules_converted_per_op"], problems, positive=False)
    if {r["path"] for r in rows} != {"atomic_pool", "converting"}:
        problems.append("host_coherent.csv: expected the paths atomic_pool and converting")
    check_png(out, "host_overhead.png", problems)


def check_qemu(out, problems):
    rows = check_csv(out, "qemu_blk.csv", QEMU_CSV["qemu_blk.csv"], problems)
    need_numbers("qemu_blk.csv", rows, ["ticks_per_request", "bytes_per_vsec",
                                        "raw_best_ticks_per_request", "raw_bytes_per_vsec",
                                        "polls_per_request_max"], problems)
    need_numbers("qemu_blk.csv", rows, ["fit_residual_ticks", "rsi_calls_per_mib",
                                        "granules_per_mib"], problems, positive=False)
    # The paths are what makes the comparison meaningful (not a speed).
    for r in rows:
        want = "bounced" if r["buffer"] == "private" else "direct"
        if r["path"] != want:
            problems.append(f"qemu_blk.csv: {r['mode']} {r['op']} {r['buffer']} {r['size']} "
                            f"went {r['path']}, expected {want}")
    seen = {(r["mode"], r["op"], r["buffer"], number(r["size"])) for r in rows}
    for key in [(m, o, b, s) for m in MODES for o in BLK_OPS for b in BLK_BUFFERS for s in BLK_SIZES]:
        if key not in seen:
            problems.append(f"qemu_blk.csv: no row for {' '.join(map(str, key))}")
    rows = check_csv(out, "qemu_blk_ratio.csv", QEMU_CSV["qemu_blk_ratio.csv"], problems)
    need_numbers("qemu_blk_ratio.csv", rows, ["bounce_over_direct", "convert_over_direct",
                                              "raw_bounce_over_direct"], problems)
    seen = {(r["mode"], r["op"], number(r["size"])) for r in rows}
    for key in [(m, o, s) for m in MODES for o in BLK_OPS for s in BLK_SIZES]:
        if key not in seen:
            problems.append(f"qemu_blk_ratio.csv: no ratio for {' '.join(map(str, key))}")
    rows = check_csv(out, "qemu_poll_fit.csv", QEMU_CSV["qemu_poll_fit.csv"], problems)
    need_numbers("qemu_poll_fit.csv", rows, ["ticks_per_extra_poll", "max_residual_ticks"],
                 problems, positive=False)
    if {r["mode"] for r in rows} != set(MODES):
        problems.append("qemu_poll_fit.csv: expected one row per boot (realm, plain)")
    rows = check_csv(out, "qemu_mem.csv", QEMU_CSV["qemu_mem.csv"], problems)
    need_numbers("qemu_mem.csv", rows, ["bounce_ns", "direct_ns", "memcpy_ns",
                                        "bounce_over_memcpy", "direct_over_memcpy"], problems)
    seen = {(r["mode"], number(r["size"]), r["direction"]) for r in rows}
    for key in [(m, s, d) for m in MODES for s in HOST_SIZES for d in DIRECTIONS]:
        if key not in seen:
            problems.append(f"qemu_mem.csv: no row for {' '.join(map(str, key))}")
    rows = check_csv(out, "qemu_rsi.csv", QEMU_CSV["qemu_rsi.csv"], problems)
    need_numbers("qemu_rsi.csv", rows, ["rsi_calls_per_mib", "granules_per_mib"], problems,
                 positive=False)
    if not any(r["mode"] == "realm" and r["phase"] == "steady" for r in rows):
        problems.append("qemu_rsi.csv: no steady-state row for the realm")
    rows = check_csv(out, "qemu_crosscheck.csv", QEMU_CSV["qemu_crosscheck.csv"], problems)
    # Counting, not timing: the realm's counters and the monitor's must agree.
    for r in rows:
        if r["match"] != "yes":
            problems.append(f"qemu_crosscheck.csv: {r['mode']} {r['counter']}: guest "
                            f"{r['guest']}, monitor {r['monitor']}")
    check_png(out, "qemu_overhead.png", problems)


def check(a, parts):
    problems = []
    if "host" in parts:
        check_host(a.out, problems)
    if "qemu" in parts:
        check_qemu(a.out, problems)
    summary = os.path.join(a.out, "summary.md")
    if not os.path.exists(summary) or os.path.getsize(summary) == 0:
        problems.append("summary.md: missing or empty")
    if problems:
        print("bench check: FAIL")
        for p in problems:
            print("  - " + p)
        sys.exit(1)
    print(f"bench check: {', '.join(parts)} output in {a.out} is complete and well-formed")


# ---- main -------------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("part", choices=["host", "qemu", "all"])
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true", help="short run for CI smoke tests")
    p.add_argument("--check", action="store_true", help="then verify the output is well-formed")
    p.add_argument("--bench-bin", help="the host benchmark (build/host/bench/ccdma_bench)")
    p.add_argument("--fw-dir", help="the firmware build (build/aarch64-qemu)")
    p.add_argument("--qemu", default="qemu-system-aarch64")
    p.add_argument("--disk", choices=["null", "file"], default="null",
                   help="virtio-blk backend: null-co (default) or a sparse 64 MiB file")
    p.add_argument("--timeout", type=int, default=900, help="per QEMU boot, seconds")
    p.add_argument("--command", help="the command to credit in summary.md")
    a = p.parse_args()
    parts = ["host", "qemu"] if a.part == "all" else [a.part]
    if not a.command:
        a.command = " ".join(["bench/bench.py"] + sys.argv[1:])
    os.makedirs(a.out, exist_ok=True)
    gnuplot = shutil.which("gnuplot")
    if not gnuplot:
        print("bench: gnuplot is not installed (Debian: gnuplot-nox): no plot can be made",
              file=sys.stderr)
        sys.exit(SKIP if a.check else 1)
    if "host" in parts:
        run_host(a)
        plot_host(a, gnuplot)
    if "qemu" in parts:
        run_qemu(a)
        plot_qemu(a, gnuplot)
    write_summary(a)
    if a.check:
        check(a, parts)


if __name__ == "__main__":
    main()
