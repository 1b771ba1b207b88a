#!/usr/bin/env python3
"""ccdma benchmarks: run them, write CSV, plot, summarise, check the output.

  bench.py host --bench-bin BIN --out DIR [--quick] [--check]
  bench.py qemu --fw-dir DIR --out DIR [--quick] [--check] [--qemu QEMU]
               [--rme-qemu QEMU --rme-flash FLASH | --tf-rmm-cmd CMD] [--rmm RMM]...
  bench.py all  --bench-bin BIN --fw-dir DIR --out DIR [--quick] [--check]
  bench.py fw-scaling --fw-dir DIR --out DIR [--quick] [--check] [--qemu QEMU]

host runs the host benchmark (bench/host, which writes host_*.csv itself),
then the same binary under callgrind for the instruction counts
(host_instructions.csv), fits each path's fixed cost and cost per byte
(host_fit.csv) and plots them. qemu boots the firmware in a realm under
the EL2 monitor's emulated RMM, in a realm under TF-A + TF-RMM (with
--rme-qemu and --rme-flash; reported skipped, with the reason, without
them) and plain, each with the boot option ccdma.bench=1
(ccdma.bench_quick=1 with --quick) under -icount shift=0,sleep=off and
dtb-randomness=off, and turns its "bench:" lines into qemu_*.csv, each row
under its boot's mode and RMM (rmm=none for the plain boot); then it boots
the plain firmware once more on 4 vCPUs under multi-threaded TCG (-accel
tcg,thread=multi -smp 4, no -icount, which multi-threaded TCG cannot run)
with ccdma.bench_scaling=1, for fw_scaling.csv (fw-scaling runs that boot
alone). Every command also writes
DIR/summary.md, with the goals table, from the CSV files present. --check
then verifies that the files of the parts run exist and are well-formed; it
never looks at speed. The method is in docs/benchmarks.md.
"""
import argparse
import csv
import datetime
import glob
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOOT_TEST = os.path.join(ROOT, "tests", "qemu", "boot_test.py")

HOST_SIZES = [64 << i for i in range(13)]            # 64 B .. 256 KiB
DIRECTIONS = ["to_device", "from_device", "bidirectional"]
BLK_SIZES = [4096 << i for i in range(7)]            # 4 KiB .. 256 KiB
BLK_OPS = ["read", "write"]
BLK_BUFFERS = ["private", "shared", "convert"]
CONVERT_SIZES = BLK_SIZES
OCC_SIZES = [2048 << i for i in range(8)]            # 2 KiB .. 256 KiB
INSTR_PATHS = ["bounce", "direct", "memcpy"]
RMMS = ["emulated", "tf-rmm"]
# Every QEMU boot of the qemu part, as (mode, rmm): the realm under each RMM
# that runs, and the plain boot, which has none.
NO_RMM = "none"
RMM_LABEL = {"emulated": "emulated RMM", "tf-rmm": "TF-RMM"}
RMM_NAMED = {"emulated": "the emulated RMM", "tf-rmm": "TF-RMM"}   # in a sentence
MIB = 1 << 20
SKIP = 77  # ctest SKIP_RETURN_CODE: a tool the output needs is missing

# The goals this benchmark measures (docs/benchmarks.md): figure, goal, how
# it is read from the CSV files (see goals()).
GOALS = [
    ("host 64 B bounce map+unmap, instructions", "<= 400"),
    ("host direct map+unmap, instructions", "<= 120"),
    ("host TO_DEVICE 256 KiB, / memcpy", "<= 1.10"),
    ("host FROM_DEVICE 256 KiB, / (memcpy + the zeroing rule 8 needs)", "<= 1.10"),
    ("firmware bounce, instructions per byte at 256 KiB (TO / FROM)", "<= 0.20 / 0.30"),
    ("realm blk 4 KiB read, bounce / direct, data only", "<= 1.3"),
]

HOST_CSV = {
    "host_map.csv": ["size", "direction", "bounce_ns", "bounce_iqr_ns", "direct_ns",
                     "direct_iqr_ns", "memcpy_ns", "memcpy_iqr_ns", "limit_ns", "limit_iqr_ns",
                     "bounce_over_memcpy", "direct_over_memcpy", "bounce_over_limit", "samples"],
    "host_instructions.csv": ["path", "size", "dir", "instructions_per_op"],
    "host_fit.csv": ["measure", "path", "dir", "fixed", "per_byte", "limit_fixed",
                     "limit_per_byte"],
    "host_occupancy.csv": ["target_pct", "occupancy_pct", "free_runs", "mean_free_run_kib",
                           "longest_free_run_kib", "size", "pools", "failures", "failure_rate"],
    "host_occupancy_time.csv": ["target_pct", "occupancy_pct", "map_unmap_4k_ns", "iqr_ns",
                                "segment_probes_per_map", "samples"],
    "host_scaling.csv": ["threads", "areas", "size", "mops", "mops_min", "mops_max",
                         "per_thread_mops", "rounds"],
    "host_coherent.csv": ["size", "path", "alloc_free_ns", "iqr_ns", "rsi_calls_per_op",
                          "ipa_state_set_per_op", "granules_converted_per_op", "samples"],
}
QEMU_CSV = {
    "qemu_blk.csv": ["mode", "rmm", "op", "buffer", "size", "reps", "requests_per_rep",
                     "ticks_per_request", "bytes_per_vsec", "raw_best_ticks_per_request",
                     "raw_bytes_per_vsec", "polls_per_request_max", "fit_residual_ticks",
                     "rsi_calls_per_mib", "ipa_state_set_per_mib", "granules_per_mib", "path",
                     "bounced_maps_per_request", "direct_maps_per_request"],
    "qemu_blk_ratio.csv": ["mode", "rmm", "op", "size", "bounce_bytes_per_vsec",
                           "direct_bytes_per_vsec", "bounce_over_direct",
                           "convert_bytes_per_vsec", "convert_over_direct",
                           "raw_bounce_over_direct"],
    "qemu_blk_fit.csv": ["mode", "rmm", "op", "bounce_fixed_instr", "bounce_per_byte_instr",
                         "direct_fixed_instr", "direct_per_byte_instr", "overhead_fixed_instr",
                         "overhead_per_byte_instr", "limit_per_byte_instr"],
    "qemu_poll_fit.csv": ["mode", "rmm", "ticks_per_extra_poll", "lines_fitted",
                          "max_residual_ticks"],
    "qemu_mem.csv": ["mode", "rmm", "size", "direction", "iters", "bounce_instr", "direct_instr",
                     "memcpy_instr", "limit_instr", "bounce_over_memcpy", "bounce_over_limit",
                     "direct_over_memcpy"],
    "qemu_mem_fit.csv": ["mode", "rmm", "path", "direction", "fixed_instr", "per_byte_instr",
                         "limit_fixed_instr", "limit_per_byte_instr"],
    "qemu_convert.csv": ["rmm", "size", "reps", "bounce_instr", "shared_instr", "convert_instr",
                         "convert_rsi_calls", "convert_granules", "convert_over_bounce",
                         "bounce_over_shared"],
    "qemu_rsi.csv": ["mode", "rmm", "phase", "bytes", "rsi_calls", "ipa_state_set", "granules",
                     "rsi_calls_per_mib", "granules_per_mib"],
    "qemu_crosscheck.csv": ["mode", "rmm", "counter", "guest", "monitor", "match"],
}
# The firmware's scaling boot, on vCPUs (bench/firmware/bench_scaling.c):
# the columns of host_scaling.csv, with vCPUs for threads.
FW_CSV = {
    "fw_scaling.csv": ["vcpus", "areas", "size", "mops", "mops_min", "mops_max",
                       "per_vcpu_mops", "rounds"],
}
SCALE_COUNTS = (1, 2, 4)   # threads (host) or vCPUs (firmware) at once
SCALE_SIZES = (64, 4096)
FW_SCALE_VCPUS = 4         # -smp: the firmware's "areas = number of CPUs"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def fail(msg, code=1):
    print(f"bench: {msg}", file=sys.stderr)
    sys.exit(code)


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


def fit(points):
    """Fixed cost and cost per byte of a path from {size: cost}: the cost of
    the smallest request, and the slope between the two largest sizes.
    Costs grow by steps (whole slots, a page, the C library switching
    strategy), so a least-squares line over every size would bend both; the
    two ends are what a driver writer asks: what does a tiny request cost,
    and what does each further byte."""
    sizes = sorted(points)
    if len(sizes) < 2:
        return None, None
    hi, lo = sizes[-1], sizes[-2]
    return points[sizes[0]], (points[hi] - points[lo]) / (hi - lo)


# ---- host -------------------------------------------------------------------------

def run_host(a):
    if not a.bench_bin or not os.access(a.bench_bin, os.X_OK):
        fail(f"no benchmark binary {a.bench_bin!r} (build the host preset)")
    cmd = [a.bench_bin, "--out", a.out] + (["--quick"] if a.quick else [])
    print("$ " + " ".join(cmd), flush=True)
    if subprocess.run(cmd).returncode != 0:
        fail("host benchmark failed")
    count_instructions(a)
    host_fits(a)


def count_instructions(a):
    """host_instructions.csv: the benchmark's --instructions mode under
    callgrind; each dump is one path, size and direction (bench/host/
    instructions.c), less the empty loop's share."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        fail("valgrind is not installed (Debian: valgrind): no instruction counts", SKIP)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [valgrind, "--tool=callgrind", "--collect-atstart=no",
               f"--callgrind-out-file={tmp}/cg.out", a.bench_bin, "--instructions"]
        print("$ " + " ".join(cmd), flush=True)
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"callgrind run failed:\n{r.stderr[-2000:]}")
        counts = {}
        for path in glob.glob(f"{tmp}/cg.out.*"):
            name = total = None
            with open(path) as f:
                for line in f:
                    if line.startswith("desc: Trigger: Client Request: ccdma "):
                        name = line.split("Client Request: ", 1)[1].split()
                    elif line.startswith("summary:"):
                        total = int(line.split()[1])
            if name and total is not None:
                counts[(name[1], int(name[2]), name[3])] = total / int(name[4])
    loops = [v for k, v in counts.items() if k[0] == "loop"]
    if not loops:
        fail("callgrind: no dump of the empty loop (was the benchmark built with "
             "valgrind's headers?)")
    rows = [[p, size, d, f"{counts[(p, size, d)] - loops[0]:.1f}"]
            for p in INSTR_PATHS for size in HOST_SIZES for d in DIRECTIONS
            if (p, size, d) in counts]
    write_csv(a.out, "host_instructions.csv", HOST_CSV["host_instructions.csv"], rows)


def host_fits(a):
    rows = []
    ins = read_csv(a.out, "host_instructions.csv") or []
    tm = read_csv(a.out, "host_map.csv") or []
    for d in DIRECTIONS:
        lim = {int(r["size"]): float(r["instructions_per_op"]) for r in ins
               if r["path"] == "memcpy" and r["dir"] == d}
        lf, lp = fit(lim)
        for p in ("bounce", "direct"):
            pts = {int(r["size"]): float(r["instructions_per_op"]) for r in ins
                   if r["path"] == p and r["dir"] == d}
            f0, pb = fit(pts)
            if f0 is not None:
                rows.append(["instructions", p, d, f"{f0:.1f}", f"{pb:.4f}", f"{lf:.1f}",
                             f"{lp:.4f}"])
        lim = {int(r["size"]): float(r["limit_ns"]) for r in tm if r["direction"] == d}
        lf, lp = fit(lim)
        for p in ("bounce", "direct"):
            pts = {int(r["size"]): float(r[f"{p}_ns"]) for r in tm if r["direction"] == d}
            f0, pb = fit(pts)
            if f0 is not None:
                rows.append(["ns", p, d, f"{f0:.2f}", f"{pb:.6f}", f"{lf:.2f}", f"{lp:.6f}"])
    write_csv(a.out, "host_fit.csv", HOST_CSV["host_fit.csv"], rows)


def size_tics(sizes):
    return "set xtics (" + ", ".join(f"'{human(x)}' {x}" for x in sizes) + ")"


def datablock(name, points):
    """An inline gnuplot data block: one series, so lines join its points."""
    return f"${name} << EOD\n" + "".join(f"{x} {y}\n" for x, y in points) + "EOD\n"


COLORS = {"to_device": "#1f77b4", "from_device": "#d62728", "bidirectional": "#2ca02c"}


def plot_host(a, gnuplot):
    rows = read_csv(a.out, "host_map.csv")
    ins = read_csv(a.out, "host_instructions.csv") or []
    blocks, plots, iplots = [], [], []
    for d in DIRECTIONS:
        pts = [(r["size"], r["bounce_over_limit"]) for r in rows if r["direction"] == d]
        blocks.append(datablock(d, pts))
        plots.append(f"${d} with linespoints lw 2 pt 7 lc rgb '{COLORS[d]}' title 'bounce, {d}'")
        for p, pt in (("bounce", 7), ("memcpy", 4)):
            pts = [(r["size"], r["instructions_per_op"]) for r in ins
                   if r["dir"] == d and r["path"] == p]
            blocks.append(datablock(f"i_{p}_{d}", pts))
            what = "bounce" if p == "bounce" else "limit"
            iplots.append(f"$i_{p}_{d} with linespoints lw 2 pt {pt} dt {1 if p == 'bounce' else 2} "
                          f"lc rgb '{COLORS[d]}' title '{what}, {d}'")
    pts = [(r["size"], r["instructions_per_op"]) for r in ins
           if r["dir"] == "to_device" and r["path"] == "direct"]
    blocks.append(datablock("i_direct", pts))
    iplots.append("$i_direct with linespoints lw 2 pt 5 lc rgb '#7f7f7f' title 'direct'")
    plots.append("1 with lines dt 2 lc rgb 'black' title 'the physical limit'")
    script = f"""# Generated by bench/bench.py from host_map.csv and host_instructions.csv.
set terminal pngcairo size 1400,600 font ',11' noenhanced
set output 'host_overhead.png'
{''.join(blocks)}set multiplot layout 1,2 title 'ccdma host: streaming map+unmap'
set title 'time / the physical limit of the direction (medians)'
set xlabel 'mapping size'
set ylabel 'bounce / limit'
set logscale xy 2
{size_tics(HOST_SIZES[::2])}
set xrange [48:350000]
set grid
set key top right
plot {', '.join(plots)}
set title 'instructions per map+unmap (callgrind)'
set ylabel 'instructions'
set key top left
plot {', '.join(iplots)}
unset multiplot
"""
    gnuplot_run(gnuplot, a.out, os.path.join(a.out, "host_overhead.gp"), script)
    occ = read_csv(a.out, "host_occupancy.csv") or []
    blocks, plots = [], []
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f"]
    for i, size in enumerate(OCC_SIZES):
        pts = [(r["occupancy_pct"], 100 * float(r["failure_rate"])) for r in occ
               if int(r["size"]) == size]
        if pts:
            blocks.append(datablock(f"s{size}", pts))
            plots.append(f"$s{size} with linespoints lw 2 pt 7 lc rgb '{palette[i]}' "
                         f"title '{human(size)}'")
    one_plot(a, gnuplot, "host_occupancy", "host_occupancy.csv", blocks, plots,
             "ccdma host: share of pools where one more mapping does not fit "
             "(mixed sizes, 16 MiB pool)", "pool occupancy (%)", "failure rate (%)",
             "set xrange [0:100]\nset yrange [-5:105]\nset key top left\n")
    plot_scaling(a, gnuplot)


def plot_scaling(a, gnuplot, name="host_scaling", count="threads", title=None):
    """NAME.png from NAME.csv: throughput against threads (or vCPUs), one
    lock and areas."""
    if title is None:
        title = (f"ccdma host: bounce map+unmap throughput, all threads "
                 f"({os.cpu_count() or 0}-core machine)")
    sc = read_csv(a.out, f"{name}.csv") or []
    blocks, plots = [], []
    styles = {1: "dt 2", 4: "dt 1"}
    colours = {64: "#1f77b4", 4096: "#d62728"}
    for size in sorted({int(r["size"]) for r in sc}):
        for areas in sorted({int(r["areas"]) for r in sc}):
            pts = [(r[count], r["mops"]) for r in sc
                   if int(r["size"]) == size and int(r["areas"]) == areas]
            block = f"s{size}a{areas}"
            blocks.append(datablock(block, pts))
            what = "one lock" if areas == 1 else f"{areas} areas"
            plots.append(f"${block} with linespoints lw 2 pt 7 {styles.get(areas, '')} "
                         f"lc rgb '{colours.get(size, '#333333')}' title '{human(size)}, {what}'")
    one_plot(a, gnuplot, name, f"{name}.csv", blocks, plots, title,
             count, "million map+unmap per second",
             "set xtics (1, 2, 4)\nset logscale x 2\nset yrange [0:*]\nset key top left\n")


def one_plot(a, gnuplot, name, source, blocks, plots, title, xlabel, ylabel, settings):
    """A single-panel plot NAME.png of the data blocks."""
    script = f"""# Generated by bench/bench.py from {source}.
set terminal pngcairo size 1000,620 font ',11' noenhanced
set output '{name}.png'
{''.join(blocks)}set title '{title}'
set xlabel '{xlabel}'
set ylabel '{ylabel}'
set grid
{settings}plot {', '.join(plots)}
"""
    gnuplot_run(gnuplot, a.out, os.path.join(a.out, f"{name}.gp"), script)


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


def boot_label(mode, rmm):
    return mode if rmm == NO_RMM else f"{mode} ({RMM_LABEL[rmm]})"


def boot_tag(mode, rmm):
    """The boot's part of its log and disk file names."""
    return mode if rmm in (NO_RMM, "emulated") else f"{mode}-{rmm}"


def qemu_command(a, mode, rmm):
    args = [sys.executable, BOOT_TEST, "--live", "--print-cmd",
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
        img = os.path.join(a.out, f"bench-disk-{boot_tag(mode, rmm)}.img")
        with open(img, "wb") as f:
            f.truncate(64 * MIB)
        drive = f"-drive if=none,id=bench0,file={img},format=raw"
    args += ["--qemu-arg", drive,
             "--qemu-arg", "-device virtio-blk-device,drive=bench0,iommu_platform=on"]
    if rmm == "tf-rmm":
        # TF-A boots from flash and runs ccdma's host as BL33, which builds
        # the realm through RMI calls to TF-RMM (monitor/monitor.cmake's
        # boot-tfrmm-* tests); the bootargs reach the host through fw_cfg.
        args += ["--qemu", a.rme_qemu, "--config", "rme", "--boot", "bios",
                 "--cpu", "max,x-rme=on", "--memory", "3G", "--image", a.rme_flash]
    elif mode == "realm":
        args += ["--qemu", a.qemu, "--config", "el2", "--boot", "elf", "--memory", "3G",
                 "--image", os.path.join(a.fw_dir, "ccdma-realm.elf")]
    else:
        args += ["--qemu", a.qemu, "--config", "plain", "--boot", "kernel",
                 "--image", os.path.join(a.fw_dir, "ccdma.bin")]
    return args


def fw_scaling_command(a):
    """The scaling boot: plain, 4 vCPUs, one host thread each. Multi-threaded
    TCG cannot run under -icount, so CNTVCT follows the host's clock: these
    are wall-clock figures, unlike every other QEMU one."""
    return [sys.executable, BOOT_TEST, "--live", "--print-cmd", "--qemu", a.qemu,
            "--timeout", str(a.timeout), "--machine-extra", "dtb-randomness=off",
            "--append", ("ccdma.bench_quick=1" if a.quick else "ccdma.bench=1") +
            " ccdma.bench_scaling=1",
            "--qemu-arg", "-accel tcg,thread=multi",
            "--qemu-arg", f"-smp {FW_SCALE_VCPUS}",
            "--config", "plain", "--boot", "kernel",
            "--image", os.path.join(a.fw_dir, "ccdma.bin")]


def run_qemu_mode(a, mode, rmm=NO_RMM):
    """One benchmark boot: its parsed console and the QEMU command line.
    The TF-RMM realm runs --tf-rmm-cmd instead when one is given."""
    label = boot_label(mode, rmm)
    log = os.path.join(a.out, f"qemu-{boot_tag(mode, rmm)}.log")
    if rmm == "tf-rmm" and a.tf_rmm_cmd:
        print(f"QEMU {label}: booting with --tf-rmm-cmd (console in {log})", flush=True)
        r = subprocess.run(a.tf_rmm_cmd, shell=True, capture_output=True, text=True,
                           errors="replace")
        out = r.stdout.replace("\r\n", "\n")
        qemu_cmd = a.tf_rmm_cmd
    else:
        cmd = fw_scaling_command(a) if mode == "scaling" else qemu_command(a, mode, rmm)
        print(f"QEMU {label}: booting with {cmd[cmd.index('--append') + 1]} "
              f"(console in {log})", flush=True)
        r = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
        out = r.stdout.replace("\r\n", "\n")
        qemu_cmd = out.splitlines()[0] if out else ""
    with open(log, "w") as f:
        f.write(out + r.stderr)
    if r.returncode != 0:
        tail = "\n".join(out.splitlines()[-15:])
        fail(f"QEMU {label} run failed (exit status {r.returncode}):\n{tail}\n(see {log})")
    res = parse_qemu(out, label, log)
    res["mode"], res["rmm"] = mode, rmm
    if mode == "realm":
        # The host names the RMM it built the realm on: results filed under
        # an RMM come from a realm that ran under it.
        ran = (res["rmi"] or {}).get("rmm")
        if ran != rmm:
            fail(f"QEMU {label}: the host reports the RMM {ran!r}, expected {rmm!r} "
                 f"('monitor: rmi rmm=' line; see {log})")
    return res, qemu_cmd


def parse_qemu(out, label, log):
    res = {"mem": [], "blk": [], "convert": [], "scaling": [], "steady": None,
           "totals": None, "monitor": None, "rmi": None, "stack": [], "begin": None,
           "errors": []}
    for line in out.splitlines():
        # The host's counters and the emulated RMM's RSI tallies, together.
        if line.startswith("monitor: counters ") or line.startswith("rmm: counters "):
            res["monitor"] = {**(res["monitor"] or {}), **{k: int(v) for k, v in kv(line).items()}}
            continue
        # TF-A's and TF-RMM's banners, with their versions.
        if line.startswith("NOTICE:  BL31: v") or line.startswith("Booting RMM "):
            res["stack"].append(line.replace("NOTICE:  ", "TF-A ").strip())
            continue
        # The host's RMI calls and the realm's exits, with the RMM's name.
        if line.startswith("monitor: rmi "):
            res["rmi"] = {k: v if k == "rmm" else int(v) for k, v in kv(line).items()}
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
                               "memcpy": int(d["memcpy_ticks"]), "limit": int(d["limit_ticks"])})
        elif what == "convert" and f[2] != "skipped:":
            d = kv(line)
            res["convert"].append({"size": int(f[2]), "reps": int(d["reps"]),
                                   "bounce": int(d["bounce_ticks"]),
                                   "shared": int(d["shared_ticks"]),
                                   "convert": int(d["convert_ticks"]),
                                   "rsi": int(d["convert_rsi_calls"]),
                                   "granules": int(d["convert_granules"])})
        elif what == "scaling" and f[2].startswith("cpus="):
            d = kv(line)
            res["scaling"].append({k: int(d[k]) for k in ("cpus", "areas", "size", "round",
                                                          "ops_per_sec")})
        elif what == "blk" and f[2] == "steady":
            res["steady"] = {k: int(v) for k, v in kv(line).items()}
        elif what == "blk" and f[2] in BLK_OPS:
            d = kv(line)
            res["blk"].append({"op": f[2], "buffer": f[3], "size": int(f[4]),
                               "requests": int(d["requests"]), "bytes": int(d["bytes"]),
                               "ticks": int(d["ticks"]), "polls": int(d["polls"]),
                               "rsi": int(d["rsi_calls"]),
                               "sets": int(d["ipa_state_set"]), "granules": int(d["granules"]),
                               "path": d["path"], "bounced": int(d["maps_bounced"]),
                               "direct": int(d["maps_direct"])})
        elif what == "totals":
            res["totals"] = {k: int(v) for k, v in kv(line).items()}
    if res["errors"]:
        fail(f"QEMU {label}: the benchmark reported errors:\n" + "\n".join(res["errors"]) +
             f"\n(see {log})")
    if not res["begin"] or not res["totals"]:
        fail(f"QEMU {label}: no 'bench: begin' or 'bench: totals' line (see {log})")
    return res


def poll_cost(blk):
    """Ticks per extra poll of the used ring, fitted over the repetitions of
    every configuration (one intercept each): ticks = work + K * polls,
    with K >= 0, since a poll cannot take time away: when the noise of a
    short run tilts the unconstrained slope below 0, the constrained least
    squares is K = 0. None when no configuration polled differently from
    one repetition to the next."""
    groups = {}
    for x in blk:
        groups.setdefault((x["op"], x["buffer"], x["size"]), []).append(x)
    num = den = 0.0
    for reps in groups.values():
        mt = statistics.fmean(x["ticks"] for x in reps)
        mp = statistics.fmean(x["polls"] for x in reps)
        num += sum((x["ticks"] - mt) * (x["polls"] - mp) for x in reps)
        den += sum((x["polls"] - mp) ** 2 for x in reps)
    return max(num / den, 0.0) if den else None


def instr_per_tick(r):
    """Under -icount shift=0 every instruction is 1 ns of virtual time."""
    return 1e9 / int(r["begin"]["cntfrq"])


def tabulate_qemu(runs):
    """Rows for the qemu_*.csv files, from the parsed runs. Each row starts
    with its boot: the mode and the RMM (none for the plain boot)."""
    t = {name: [] for name in QEMU_CSV}
    fitted = {(r["mode"], r["rmm"]): poll_cost(r["blk"]) for r in runs}
    for r in runs:
        mode, rmm, frq, ipt = r["mode"], r["rmm"], int(r["begin"]["cntfrq"]), instr_per_tick(r)
        # The loop is the same code in every boot: borrow another boot's
        # fit if this one had no variation to fit (a quick run can).
        k = fitted[(mode, rmm)]
        if k is None:
            k = next((v for v in fitted.values() if v is not None), 0.0)
        worst = 0.0
        work, raw, tick = {}, {}, {}
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
                    tick[(op, buf, size)] = tpr
                    work[(op, buf, size)] = size * frq / tpr
                    raw[(op, buf, size)] = size * frq / best
                    t["qemu_blk.csv"].append(
                        [mode, rmm, op, buf, size, len(reps), n, f"{tpr:.2f}",
                         f"{work[(op, buf, size)]:.0f}", f"{best:.2f}",
                         f"{raw[(op, buf, size)]:.0f}",
                         f"{max(x['polls'] / x['requests'] for x in reps):.2f}",
                         f"{resid:.3f}",
                         f"{sum(x['rsi'] for x in reps) / total:.3f}",
                         f"{sum(x['sets'] for x in reps) / total:.3f}",
                         f"{sum(x['granules'] for x in reps) / total:.3f}",
                         reps[-1]["path"],
                         f"{sum(x['bounced'] for x in reps) / sum(x['requests'] for x in reps):.2f}",
                         f"{sum(x['direct'] for x in reps) / sum(x['requests'] for x in reps):.2f}"])
        t["qemu_poll_fit.csv"].append([mode, rmm, f"{k:.4f}", len(r["blk"]), f"{worst:.3f}"])
        for op in BLK_OPS:
            for size in BLK_SIZES:
                p, s_, c = (work.get((op, b, size)) for b in BLK_BUFFERS)
                rp, rs = raw.get((op, "private", size)), raw.get((op, "shared", size))
                if p and s_:
                    t["qemu_blk_ratio.csv"].append(
                        [mode, rmm, op, size, f"{p:.0f}", f"{s_:.0f}", f"{s_ / p:.3f}",
                         f"{c:.0f}" if c else "", f"{s_ / c:.3f}" if c else "",
                         f"{rs / rp:.3f}"])
        mem = {}
        for m in r["mem"]:
            i = {p: m[p] * ipt / m["iters"] for p in ("bounce", "direct", "memcpy", "limit")}
            mem[(m["direction"], m["size"])] = i
            t["qemu_mem.csv"].append(
                [mode, rmm, m["size"], m["direction"], m["iters"], f"{i['bounce']:.1f}",
                 f"{i['direct']:.1f}", f"{i['memcpy']:.1f}", f"{i['limit']:.1f}",
                 f"{i['bounce'] / i['memcpy']:.4g}", f"{i['bounce'] / i['limit']:.4g}",
                 f"{i['direct'] / i['memcpy']:.4g}"])
        limit_pb = {}
        for d in DIRECTIONS:
            lf, lp = fit({s: v["limit"] for (dd, s), v in mem.items() if dd == d})
            limit_pb[d] = lp
            for p in ("bounce", "direct"):
                f0, pb = fit({s: v[p] for (dd, s), v in mem.items() if dd == d})
                if f0 is not None:
                    t["qemu_mem_fit.csv"].append([mode, rmm, p, d, f"{f0:.1f}", f"{pb:.4f}",
                                                  f"{lf:.1f}", f"{lp:.4f}"])
        # A request's guest work: fixed + per byte, bounced and direct; the
        # overhead is their difference, and its physical limit one copy of
        # the data in the direction of the request.
        for op in BLK_OPS:
            fb = fit({s: tick[(op, "private", s)] * ipt for s in BLK_SIZES
                      if (op, "private", s) in tick})
            fd = fit({s: tick[(op, "shared", s)] * ipt for s in BLK_SIZES
                      if (op, "shared", s) in tick})
            lim = limit_pb.get("from_device" if op == "read" else "to_device")
            if fb[0] is not None and fd[0] is not None:
                t["qemu_blk_fit.csv"].append(
                    [mode, rmm, op, f"{fb[0]:.0f}", f"{fb[1]:.4f}", f"{fd[0]:.0f}", f"{fd[1]:.4f}",
                     f"{fb[0] - fd[0]:.0f}", f"{fb[1] - fd[1]:.4f}",
                     f"{lim:.4f}" if lim is not None else ""])
        for c in r["convert"]:
            b, s_, cv = (c[x] * ipt / c["reps"] for x in ("bounce", "shared", "convert"))
            t["qemu_convert.csv"].append([rmm, c["size"], c["reps"], f"{b:.0f}", f"{s_:.0f}",
                                          f"{cv:.0f}", c["rsi"], c["granules"],
                                          f"{cv / b:.3f}", f"{b / s_:.3f}"])
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
            t["qemu_rsi.csv"].append([mode, rmm, name, nbytes, calls, sets, gran,
                                      f"{calls / mib:.3f}", f"{gran / mib:.3f}"])
        for key, g, m in crosscheck(r):
            t["qemu_crosscheck.csv"].append([mode, rmm, key, g, m, "yes" if g == m else "NO"])
    return t


def crosscheck(r):
    """(counter, the realm's count, the host's or the RMM's) for a realm boot."""
    mon, rmi, tot = r["monitor"], r["rmi"], r["totals"]
    if not mon or not rmi:
        return []
    rows = []
    if r["rmm"] == "emulated":
        # The emulated RMM counts every RSI call. The guest prints its
        # totals just before the exit host call, which it counts as one more.
        rows += [("rsi_calls (+1 exit host call)", tot["rsi_calls"] + 1, mon["rsi_calls"]),
                 ("ipa_state_set", tot["ipa_state_set"], mon["ipa_state_set"])]
    else:
        # TF-RMM answers the other RSI calls itself, unseen by the host;
        # each RSI_IPA_STATE_SET is a REC exit for a RIPAS change, which
        # the host counts.
        rows.append(("ipa_state_set (RIPAS change exits)", tot["ipa_state_set"],
                     rmi["exit_ripas_change"]))
    return rows + [("granules_to_shared", tot["granules_to_shared"], mon["granules_to_shared"]),
                   ("granules_to_private", tot["granules_to_private"], mon["granules_to_private"])]


def as_dicts(tables, name):
    return [dict(zip(QEMU_CSV[name], r)) for r in tables[name]]


def boots_of(rows):
    """The boots (mode, rmm) that rows come from, in run order."""
    seen = []
    for r in rows:
        if (r["mode"], r["rmm"]) not in seen:
            seen.append((r["mode"], r["rmm"]))
    return seen


def convert_verdict(rows):
    """What a convert table says, in one sentence: where converting on the
    fly breaks even with the bounce, and what it adds over it per RSI call
    and per granule conversion (the slope between the two largest sizes;
    the fixed part is the smallest size's excess less its granules')."""
    rows = sorted(rows, key=lambda r: int(r["size"]))
    ratio = [float(r["convert_over_bounce"]) for r in rows]
    # The first size from which converting is never dearer than bouncing.
    even = next((rows[i]["size"] for i in range(len(rows)) if all(x <= 1 for x in ratio[i:])),
                None)
    if even is None:
        where = (f"never breaks even from {human(rows[0]['size'])} to {human(rows[-1]['size'])}: "
                 f"convert/bounce {min(ratio):.2f} .. {max(ratio):.2f}")
    else:
        where = f"breaks even from {human(even)}"
    extra = {int(r["convert_granules"]): float(r["convert_instr"]) - float(r["bounce_instr"])
             for r in rows}
    g = sorted(extra)
    if len(g) < 2:
        return where
    per_granule = (extra[g[-1]] - extra[g[-2]]) / (g[-1] - g[-2])
    calls = int(rows[0]["convert_rsi_calls"])
    said = f"{where}; converting adds {per_granule:.0f} instructions per granule conversion"
    if calls == 0:
        return said
    per_call = (extra[g[0]] - per_granule * g[0]) / calls
    return f"{said} and {per_call:.0f} per RSI call over the bounce"



def print_qemu(tables):
    ratio = as_dicts(tables, "qemu_blk_ratio.csv")
    blk = {(r["mode"], r["rmm"], r["op"], r["buffer"], r["size"]): r
           for r in as_dicts(tables, "qemu_blk.csv")}
    for r in as_dicts(tables, "qemu_poll_fit.csv"):
        print(f"\nQEMU {boot_label(r['mode'], r['rmm'])}: waiting for QEMU's I/O thread costs "
              f"{float(r['ticks_per_extra_poll']):.3f} ticks per extra poll (fit over "
              f"{r['lines_fitted']} lines); with it taken out, repetitions agree within "
              f"{r['max_residual_ticks']} ticks per request")
    for boot in boots_of(ratio):
        rows = [r for r in ratio if (r["mode"], r["rmm"]) == boot]
        print(f"\nQEMU {boot_label(*boot)}: virtio-blk sequential I/O, bytes per virtual second "
              "of guest work; bounce/direct = time ratio (only the data bounces)")
        print(f"{'op':6} {'size':>8} {'private (bounce)':>17} {'shared (direct)':>16} "
              f"{'bounce/direct':>14} {'convert':>14} {'RSI/MiB: bounce':>16} {'direct':>7} "
              f"{'convert':>8}")
        for r in rows:
            op, size = r["op"], r["size"]
            rpm = [blk.get((*boot, op, b, size), {}).get("rsi_calls_per_mib", "")
                   for b in BLK_BUFFERS]
            conv = rate(float(r["convert_bytes_per_vsec"])) if r["convert_bytes_per_vsec"] else ""
            print(f"{op:6} {human(size):>8} {rate(float(r['bounce_bytes_per_vsec'])):>17} "
                  f"{rate(float(r['direct_bytes_per_vsec'])):>16} "
                  f"{float(r['bounce_over_direct']):>14.2f} {conv:>14} "
                  f"{rpm[0]:>16} {rpm[1]:>7} {rpm[2]:>8}")
    for r in as_dicts(tables, "qemu_blk_fit.csv"):
        print(f"QEMU {boot_label(r['mode'], r['rmm'])}: blk {r['op']} per request: bounce "
              f"{r['bounce_fixed_instr']} + {r['bounce_per_byte_instr']}/byte, direct "
              f"{r['direct_fixed_instr']} + {r['direct_per_byte_instr']}/byte instructions; the "
              f"bounce adds {r['overhead_fixed_instr']} + {r['overhead_per_byte_instr']}/byte, "
              f"the limit {r['limit_per_byte_instr']}/byte")
    for r in as_dicts(tables, "qemu_rsi.csv"):
        print(f"QEMU {boot_label(r['mode'], r['rmm'])}: {r['phase']} I/O: {r['rsi_calls']} RSI "
              f"calls ({r['ipa_state_set']} IPA_STATE_SET) and {r['granules']} granules converted "
              f"for {int(r['bytes']) / MIB:.1f} MiB = {r['rsi_calls_per_mib']} RSI calls per MiB")
    for r in as_dicts(tables, "qemu_crosscheck.csv"):
        print(f"QEMU {boot_label(r['mode'], r['rmm'])}: cross-check {r['counter']}: guest "
              f"{r['guest']}, monitor {r['monitor']}: {r['match']}")
    fits = as_dicts(tables, "qemu_mem_fit.csv")
    for boot in boots_of(fits):
        for r in (r for r in fits if (r["mode"], r["rmm"]) == boot):
            print(f"QEMU {boot_label(*boot)}: in-guest {r['path']} {r['direction']}: "
                  f"{r['fixed_instr']} + {r['per_byte_instr']}/byte instructions (limit "
                  f"{r['limit_fixed_instr']} + {r['limit_per_byte_instr']}/byte)")
    conv = as_dicts(tables, "qemu_convert.csv")
    for rmm in RMMS:
        rows = [r for r in conv if r["rmm"] == rmm]
        if not rows:
            continue
        print(f"\nQEMU realm, {RMM_LABEL[rmm]}: convert or bounce, instructions per buffer "
              "(TO_DEVICE)")
        print(f"{'size':>8} {'bounce':>10} {'shared':>10} {'convert':>10} {'RSI calls':>10} "
              f"{'granules':>9} {'convert/bounce':>15}")
        for r in rows:
            print(f"{human(r['size']):>8} {r['bounce_instr']:>10} {r['shared_instr']:>10} "
                  f"{r['convert_instr']:>10} {r['convert_rsi_calls']:>10} "
                  f"{r['convert_granules']:>9} {float(r['convert_over_bounce']):>15.2f}")
        print(f"Under {RMM_NAMED[rmm]}, converting on the fly {convert_verdict(rows)}.")


def plot_qemu(a, gnuplot):
    ratio = read_csv(a.out, "qemu_blk_ratio.csv")
    mem = read_csv(a.out, "qemu_mem.csv")
    conv = read_csv(a.out, "qemu_convert.csv") or []
    blocks, blk, mp = [], [], []
    styles = {("realm", "emulated", "read"): "'#d62728' pt 7",
              ("realm", "emulated", "write"): "'#ff7f0e' pt 5",
              ("realm", "tf-rmm", "read"): "'#9467bd' pt 7",
              ("realm", "tf-rmm", "write"): "'#e377c2' pt 5",
              ("plain", NO_RMM, "read"): "'#1f77b4' pt 7",
              ("plain", NO_RMM, "write"): "'#17becf' pt 5"}
    for (m, rmm, o), st in styles.items():
        pts = [(r["size"], r["bounce_over_direct"]) for r in ratio
               if (r["mode"], r["rmm"], r["op"]) == (m, rmm, o)]
        if not pts:
            continue
        name = f"{boot_tag(m, rmm)}_{o}".replace("-", "_")
        blocks.append(datablock(name, pts))
        blk.append(f"${name} with linespoints lw 2 lc rgb {st} "
                   f"title '{boot_label(m, rmm)} {o}'")
    # The copies are the same code in every boot (and the figures are
    # identical): the first realm boot's are drawn.
    drawn = next((b for b in boots_of(mem) if b[0] == "realm"), None)
    for d in DIRECTIONS:
        blocks.append(datablock(f"mem_{d}", [(r["size"], r["bounce_over_limit"]) for r in mem
                                             if (r["mode"], r["rmm"]) == drawn
                                             and r["direction"] == d]))
        mp.append(f"$mem_{d} with linespoints lw 2 pt 7 lc rgb '{COLORS[d]}' title 'bounce, {d}'")
    script = f"""# Generated by bench/bench.py from qemu_blk_ratio.csv and qemu_mem.csv.
set terminal pngcairo size 1300,560 font ',11' noenhanced
set output 'qemu_overhead.png'
{''.join(blocks)}set logscale xy 2
set grid
set multiplot layout 1,2 title 'ccdma in QEMU (-icount shift=0): guest instructions'
set title 'virtio-blk: time per request, private (data bounced) / shared (direct)'
set xlabel 'request size'
set ylabel 'bounce / direct'
{size_tics(BLK_SIZES)}
set xrange [3000:350000]
set key top left
plot {', '.join(blk)}, 1 with lines dt 2 lc rgb 'black' title 'no overhead'
set title 'in-guest bounce map+unmap / the physical limit, {boot_label(*drawn)}'
set xlabel 'mapping size'
set ylabel 'bounce / limit'
{size_tics(HOST_SIZES[::2])}
set xrange [48:350000]
set key top right
plot {', '.join(mp)}, 1 with lines dt 2 lc rgb 'black' title 'the physical limit'
unset multiplot
"""
    gnuplot_run(gnuplot, a.out, os.path.join(a.out, "qemu_overhead.gp"), script)
    if not conv:
        return
    # One colour per way, one line style per RMM: TF-RMM solid, the
    # emulated RMM dashed.
    blocks, plots = [], []
    rmms = [rmm for rmm in RMMS if any(r["rmm"] == rmm for r in conv)]
    for rmm in rmms:
        dash = "dt 2" if rmm == "emulated" and len(rmms) > 1 else "dt 1"
        for col, title, color in (("bounce_instr", "bounce through the shared pool", "#1f77b4"),
                                  ("shared_instr", "map already-shared memory", "#2ca02c"),
                                  ("convert_instr", "convert on the fly (share, copy, DMA, "
                                   "unshare)", "#d62728")):
            name = f"{col}_{rmm}".replace("-", "_")
            blocks.append(datablock(name, [(r["size"], r[col]) for r in conv
                                           if r["rmm"] == rmm]))
            plots.append(f"${name} with linespoints lw 2 pt 7 {dash} lc rgb '{color}' "
                         f"title '{title}, {RMM_LABEL[rmm]}'")
    lines = " (solid), ".join(RMM_NAMED[x] for x in reversed(rmms))
    one_plot(a, gnuplot, "qemu_convert", "qemu_convert.csv", blocks, plots,
             f"ccdma realm: convert or bounce, TO_DEVICE, under {lines}"
             f"{' (dashed)' if len(rmms) > 1 else ''}", "buffer size",
             "instructions per buffer (every exception level)",
             f"set logscale xy 2\n{size_tics(CONVERT_SIZES)}\nset xrange [3000:350000]\n"
             "set format y '%.0f'\nset key below maxrows 3\n")


def realm_rmms(a):
    """The RMMs the realm runs under, and why TF-RMM is skipped (or None).
    Without --rmm: the emulated RMM, and TF-RMM when there is a way to boot
    it; a TF-RMM asked for by --rmm that cannot be booted is an error."""
    want = list(dict.fromkeys(a.rmm)) if a.rmm else RMMS
    why = None
    if "tf-rmm" in want and not a.tf_rmm_cmd:
        if not a.rme_qemu or not a.rme_flash:
            why = a.tf_rmm_unavailable or "no --rme-qemu and --rme-flash (or --tf-rmm-cmd) given"
        else:
            missing = [p for p in (a.rme_qemu, a.rme_flash) if not os.path.exists(p)]
            if missing:
                why = f"no {' and no '.join(missing)}"
    if why and a.rmm:
        fail(f"--rmm tf-rmm: the realm cannot be booted under TF-RMM: {why}")
    return [x for x in want if not (x == "tf-rmm" and why)], why


def run_qemu(a):
    if not a.fw_dir:
        fail("--fw-dir is required")
    for img in ("ccdma-realm.elf", "ccdma.bin"):
        if not os.path.exists(os.path.join(a.fw_dir, img)):
            fail(f"no {img} in {a.fw_dir} (build the aarch64-qemu preset)")
    rmms, a.tf_rmm_skipped = realm_rmms(a)
    a.rmms_run = rmms
    if a.tf_rmm_skipped:
        print(f"QEMU realm (TF-RMM): skipped: {a.tf_rmm_skipped}", flush=True)
    runs, cmds = [], []
    for mode, rmm in [("realm", x) for x in rmms] + [("plain", NO_RMM)]:
        res, cmd = run_qemu_mode(a, mode, rmm)
        if rmm == "tf-rmm":
            a.tf_rmm_stack = res["stack"]
        runs.append(res)
        cmds.append(f"{boot_label(mode, rmm)}: {cmd}\n")
    tables = tabulate_qemu(runs)
    for name, header in QEMU_CSV.items():
        write_csv(a.out, name, header, tables[name])
    with open(os.path.join(a.out, "qemu_commands.txt"), "w") as f:
        f.writelines(cmds)
    print_qemu(tables)


def tabulate_scaling(runs):
    """fw_scaling.csv rows: one per vCPU count, layout and size, from the
    rounds' lines; the median round (the upper one of an even count, as the
    host benchmark takes it) with the lowest and the highest."""
    groups = {}
    for x in runs:
        groups.setdefault((x["cpus"], x["areas"], x["size"]), []).append(x["ops_per_sec"] / 1e6)
    rows = []
    for size in SCALE_SIZES:
        for n in SCALE_COUNTS:
            for areas in sorted({k[1] for k in groups}):
                v = sorted(groups.get((n, areas, size), []))
                if v:
                    med = v[len(v) // 2]
                    # Six places: a slow vCPU's figure must not round to 0.
                    rows.append([n, areas, size, f"{med:.6f}", f"{v[0]:.6f}", f"{v[-1]:.6f}",
                                 f"{med / n:.6f}", len(v)])
    return rows


def run_fw_scaling(a):
    if not a.fw_dir:
        fail("--fw-dir is required")
    if not os.path.exists(os.path.join(a.fw_dir, "ccdma.bin")):
        fail(f"no ccdma.bin in {a.fw_dir} (build the aarch64-qemu preset)")
    res, cmd = run_qemu_mode(a, "scaling")
    if not res["scaling"]:
        fail("QEMU scaling: no 'bench: scaling' lines (see the log)")
    rows = tabulate_scaling(res["scaling"])
    write_csv(a.out, "fw_scaling.csv", FW_CSV["fw_scaling.csv"], rows)
    with open(os.path.join(a.out, "fw_scaling_command.txt"), "w") as f:
        f.write(f"scaling: {cmd}\n")
    print(f"\nQEMU plain, {FW_SCALE_VCPUS} vCPUs under multi-threaded TCG (wall clock): "
          "TO_DEVICE bounce map+unmap, all vCPUs together, million per second")
    print(f"{'vcpus':>6} {'areas':>6} {'size':>7} {'Mops/s':>9} {'min':>9} {'max':>9} {'rounds':>7}")
    for r in rows:
        print(f"{r[0]:>6} {r[1]:>6} {r[2]:>7} {r[3]:>9} {r[4]:>9} {r[5]:>9} {r[7]:>7}")


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def machine_cores():
    n = os.cpu_count() or 0
    if n >= 4:
        return f"This machine has {n} cores: each of the 4 threads can have its own."
    return (f"This machine has {n} cores: with more threads than cores, the threads "
            f"take turns, so the 4-thread rows measure contention under preemption, "
            f"not 4-way parallelism.")


def vcpu_cores():
    n = os.cpu_count() or 0
    return (f"This machine has {n} cores, and each vCPU is a host thread: the "
            f"{FW_SCALE_VCPUS} vCPUs share them. A vCPU with no work waits in WFE, which "
            f"multi-threaded TCG runs as a no-op, so the idle vCPUs of the 1- and 2-vCPU rows "
            f"spin and take host time too: every row has all {FW_SCALE_VCPUS} vCPU threads "
            f"runnable, and the rows compare the pool layouts under the same load, not "
            f"parallel speedup.")


def scaling_table(rows, count, per, digits):
    """The summary's table of a scaling CSV (host_scaling.csv, fw_scaling.csv)."""
    return md_table(["size", count, "bounce pool", "Mops/s", "range", f"per {count[:-1]}"],
                    [[human(r["size"]), r[count],
                      "one lock" if r["areas"] == "1" else f"{r['areas']} areas",
                      f"{float(r['mops']):.{digits}f}",
                      f"{float(r['mops_min']):.{digits}f} .. {float(r['mops_max']):.{digits}f}",
                      f"{float(r[per]):.{digits}f}"] for r in rows])


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
    qemus = [("QEMU", a.qemu)]
    if "tf-rmm" in a.rmms_run and a.rme_qemu and not a.tf_rmm_cmd:
        qemus.append(("QEMU with FEAT_RME, for the realm under TF-RMM", a.rme_qemu))
    for what, qemu in qemus:
        try:
            q = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout
            info.append(f"{what}: " + q.splitlines()[0])
        except (OSError, IndexError):
            pass
    info += [f"the realm under TF-RMM: {x}" for x in getattr(a, "tf_rmm_stack", [])]
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        if rev:
            info.append(f"source: commit {rev} plus any uncommitted changes")
    except OSError:
        pass
    return info


def goals(a):
    """The goals table: (figure, goal, measured, physical limit) from the CSV
    files present; '-' where a part did not run."""
    ins = {(r["path"], int(r["size"]), r["dir"]): float(r["instructions_per_op"])
           for r in read_csv(a.out, "host_instructions.csv") or []}
    hm = {(int(r["size"]), r["direction"]): r for r in read_csv(a.out, "host_map.csv") or []}
    # The realm's goals are read from the realm under the emulated RMM.
    qm = {(r["mode"], int(r["size"]), r["direction"]): r
          for r in read_csv(a.out, "qemu_mem.csv") or [] if r["rmm"] != "tf-rmm"}
    qr = {(r["mode"], r["op"], int(r["size"])): r
          for r in read_csv(a.out, "qemu_blk_ratio.csv") or [] if r["rmm"] != "tf-rmm"}
    big = HOST_SIZES[-1]
    out = []

    def get(d, k, f):
        return f(d[k]) if k in d else "-"

    out.append((*GOALS[0],
                get(ins, ("bounce", 64, "to_device"), lambda v: f"{v:.0f} (to_device); " +
                    "; ".join(f"{ins[('bounce', 64, d)]:.0f} ({d})" for d in DIRECTIONS[1:]
                              if ("bounce", 64, d) in ins)),
                get(ins, ("memcpy", 64, "to_device"), lambda v: f"one 64 B memcpy: {v:.0f}")))
    out.append((*GOALS[1], get(ins, ("direct", 64, "to_device"), lambda v: f"{v:.0f}"),
                "no copy: checks, encoding, cache maintenance"))
    for goal, d, lim in ((GOALS[2], "to_device", "one memcpy"),
                         (GOALS[3], "from_device", "the zero fill and one memcpy")):
        if ("bounce", big, d) in ins and (big, d) in hm:
            r = hm[(big, d)]
            meas = (f"{ins[('bounce', big, d)] / ins[('memcpy', big, d)]:.3f} in instructions, "
                    f"{float(r['bounce_over_limit']):.2f} in time")
        else:
            meas = "-"
        out.append((*goal, meas, f"{lim}: 1.00"))
    if ("realm", big, "to_device") in qm:
        pb = {d: float(qm[("realm", big, d)]["bounce_instr"]) / big for d in DIRECTIONS[:2]}
        lp = {d: float(qm[("realm", big, d)]["limit_instr"]) / big for d in DIRECTIONS[:2]}
        out.append((*GOALS[4], f"{pb['to_device']:.3f} / {pb['from_device']:.3f}",
                    f"{lp['to_device']:.3f} / {lp['from_device']:.3f} (the same copies, "
                    "nothing around them)"))
    else:
        out.append((*GOALS[4], "-", "-"))
    # QEMU's DMA costs the guest nothing, so the least a bounced read can
    # cost is the direct request plus the copies the bounce cannot avoid:
    # the zero fill and one copy back of 4 KiB, measured in the same guest.
    r = qr.get(("realm", "read", 4096))
    bf = {(x["mode"], x["op"]): x for x in read_csv(a.out, "qemu_blk_fit.csv") or []
          if x["rmm"] != "tf-rmm"}
    fd, ml = bf.get(("realm", "read")), qm.get(("realm", 4096, "from_device"))
    if fd and ml:
        direct = float(fd["direct_fixed_instr"])
        lim = (f"{(direct + float(ml['limit_instr'])) / direct:.2f} (a direct request, "
               f"{direct:.0f} instructions, plus the zero fill and one copy of 4 KiB, "
               f"{float(ml['limit_instr']):.0f})")
    else:
        lim = "-"
    out.append((*GOALS[5], f"{float(r['bounce_over_direct']):.2f}" if r else "-", lim))
    return out


def write_summary(a):
    out = []
    hm = read_csv(a.out, "host_map.csv")
    hi = read_csv(a.out, "host_instructions.csv")
    hf = read_csv(a.out, "host_fit.csv")
    occ = read_csv(a.out, "host_occupancy.csv")
    occt = read_csv(a.out, "host_occupancy_time.csv")
    coh = read_csv(a.out, "host_coherent.csv")
    sc = read_csv(a.out, "host_scaling.csv")
    fsc = read_csv(a.out, "fw_scaling.csv")
    ratio = read_csv(a.out, "qemu_blk_ratio.csv")
    bfit = read_csv(a.out, "qemu_blk_fit.csv")
    rsi = read_csv(a.out, "qemu_rsi.csv")
    cross = read_csv(a.out, "qemu_crosscheck.csv")
    qmem = read_csv(a.out, "qemu_mem.csv")
    qfit = read_csv(a.out, "qemu_mem_fit.csv")
    conv = read_csv(a.out, "qemu_convert.csv")
    qblk = read_csv(a.out, "qemu_blk.csv")
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out.append(f"# ccdma benchmark summary ({'quick' if a.quick else 'full'} run)\n")
    out.append(f"Produced by `{a.command}` on {when}. Method: docs/benchmarks.md.\n")
    out += [f"- {x}" for x in machine_info(a)]
    out.append("")
    out.append("## Goals, with the physical limit beside each\n")
    out.append(md_table(["figure", "goal", "measured", "physical limit"], goals(a)))
    out.append("")
    if hi:
        out.append("## Host: instructions per map+unmap (callgrind, -O2, dma-debug off)\n")
        out.append("`memcpy` is the least the direction needs: one memcpy toward the device, "
                   "the zero fill and one memcpy back for FROM_DEVICE, two memcpys for "
                   "BIDIRECTIONAL. Full data: host_instructions.csv.\n")
        idx = {(r["path"], int(r["size"]), r["dir"]): float(r["instructions_per_op"]) for r in hi}
        rows = []
        for size in HOST_SIZES:
            if ("bounce", size, "to_device") not in idx:
                continue
            rows.append([human(size)] +
                        [f"{idx[('bounce', size, d)]:.0f} / {idx[('memcpy', size, d)]:.0f} "
                         f"({idx[('bounce', size, d)] / idx[('memcpy', size, d)]:.2f}x)"
                         for d in DIRECTIONS] +
                        [f"{idx[('direct', size, 'to_device')]:.0f}"])
        out.append(md_table(["size", "to_device: bounce / limit", "from_device", "bidirectional",
                             "direct"], rows))
        out.append("")
    if hf:
        out.append("## Host: fixed cost + cost per byte\n")
        out.append("Fixed cost: the cost of a 64 B request; per byte: the slope between "
                   "128 KiB and 256 KiB.\n")
        out.append(md_table(["measure", "path", "direction", "fixed", "per byte",
                             "limit: fixed", "limit: per byte"],
                            [[r["measure"], r["path"], r["dir"], r["fixed"], r["per_byte"],
                              r["limit_fixed"], r["limit_per_byte"]] for r in hf]))
        out.append("")
    if hm:
        out.append("## Host: streaming map+unmap time, ratio to the physical limit\n")
        out.append("Median per operation over repeated batches; CCA encoding on the host "
                   "realm model; dma-debug off. Full data: host_map.csv; plot: "
                   "host_overhead.png.\n")
        rows = []
        for size in HOST_SIZES:
            r = {x["direction"]: x for x in hm if int(x["size"]) == size}
            if len(r) < 3:
                continue
            rows.append([human(size), f"{float(r['to_device']['memcpy_ns']):.1f}"] +
                        [f"{float(r[d]['bounce_ns']):.1f} ({float(r[d]['bounce_over_limit']):.2f}x)"
                         for d in DIRECTIONS] +
                        [f"{float(r['to_device']['direct_ns']):.1f}"])
        out.append(md_table(["size", "memcpy ns", "bounce to_device ns (/ limit)",
                             "from_device", "bidirectional", "direct ns"], rows))
        out.append("")
    if occ:
        out.append("## Host: mixed sizes against pool occupancy and fragmentation\n")
        out.append("Share of pools where one more mapping of the size does not fit; the pool "
                   "is filled with mappings of 2 KiB to 256 KiB. Full data: host_occupancy.csv; "
                   "plot: host_occupancy.png.\n")
        levels = sorted({int(r["target_pct"]) for r in occ})
        rows = []
        for lv in levels:
            rr = [r for r in occ if int(r["target_pct"]) == lv]
            first = rr[0]
            rows.append([f"{lv}%", f"{float(first['occupancy_pct']):.1f}%",
                         f"{float(first['free_runs']):.0f}",
                         f"{float(first['mean_free_run_kib']):.1f} KiB",
                         f"{float(first['longest_free_run_kib']):.0f} KiB"] +
                        [f"{100 * float(r['failure_rate']):.0f}%" for r in rr])
        out.append(md_table(["target", "occupied", "free runs", "mean run", "longest"] +
                            [human(s) for s in OCC_SIZES], rows))
        out.append("")
    if occt:
        out.append(md_table(["target", "occupied", "4 KiB map+unmap ns (IQR)", "probes per map"],
                            [[f"{r['target_pct']}%", f"{float(r['occupancy_pct']):.1f}%",
                              f"{float(r['map_unmap_4k_ns']):.1f} ({float(r['iqr_ns']):.1f})",
                              r["segment_probes_per_map"]] for r in occt]))
        out.append("")
    if coh:
        out.append("## Host: coherent allocation, atomic pool against a converting allocation\n")
        out.append(md_table(["size", "path", "alloc+free ns", "RSI calls per op",
                             "IPA_STATE_SET per op", "granules per op"],
                            [[human(r["size"]), r["path"], f"{float(r['alloc_free_ns']):.1f}",
                              r["rsi_calls_per_op"], r["ipa_state_set_per_op"],
                              r["granules_converted_per_op"]] for r in coh]))
        out.append("")
    if sc:
        out.append("## Host: scaling, one lock against per-CPU areas\n")
        out.append(f"TO_DEVICE bounce map+unmap, all threads together, median of "
                   f"{sc[0]['rounds']} rounds (lowest and highest beside it). Plot: "
                   f"host_scaling.png. {machine_cores()}\n")
        out.append(scaling_table(sc, "threads", "per_thread_mops", 2))
        out.append("")
    if fsc:
        out.append("## QEMU: firmware scaling on vCPUs, one lock against per-CPU areas\n")
        out.append(f"TO_DEVICE bounce map+unmap in the plain firmware, all vCPUs together, "
                   f"median of {fsc[0]['rounds']} rounds (lowest and highest beside it), under "
                   f"`-accel tcg,thread=multi -smp {FW_SCALE_VCPUS}`: wall-clock time (CNTVCT "
                   f"follows the host's clock, since multi-threaded TCG cannot run under "
                   f"-icount). Command: fw_scaling_command.txt; plot: fw_scaling.png. "
                   f"{vcpu_cores()}\n")
        out.append(scaling_table(fsc, "vcpus", "per_vcpu_mops", 3))
        out.append("")
    if getattr(a, "tf_rmm_skipped", None):
        out.append(f"## QEMU realm (TF-RMM)\n\nskipped: {a.tf_rmm_skipped}\n")
    for rmm in RMMS:
        rows = [r for r in conv or [] if r["rmm"] == rmm]
        if not rows:
            continue
        out.append(f"## QEMU realm ({RMM_LABEL[rmm]}): convert or bounce\n")
        out.append("Instructions of every exception level (the realm's, the RMM's, the "
                   "host's) per TO_DEVICE buffer under -icount. Plot: qemu_convert.png.\n")
        out.append(md_table(["size", "bounce", "already shared", "convert on the fly",
                             "RSI calls", "granules converted", "convert / bounce"],
                            [[human(r["size"]), r["bounce_instr"], r["shared_instr"],
                              r["convert_instr"], r["convert_rsi_calls"], r["convert_granules"],
                              r["convert_over_bounce"]] for r in rows]))
        out.append(f"\nConverting on the fly {convert_verdict(rows)}.\n")
    if ratio:
        out.append("## QEMU: virtio-blk, private (data bounced) against shared (direct) buffers\n")
        out.append("Bytes per virtual second of guest work under `-icount shift=0,sleep=off`, "
                   "with the wait for QEMU's I/O thread taken out (docs/benchmarks.md). Only "
                   "the data bounces: header and status are shared coherent memory. QEMU's "
                   "DMA costs no guest time, so bounce/direct grows with the size; the fixed "
                   "+ per byte rows below are the overhead figure. Full data: qemu_blk.csv.\n")
        for r in read_csv(a.out, "qemu_poll_fit.csv") or []:
            out.append(f"- {boot_label(r['mode'], r['rmm'])}: "
                       f"{float(r['ticks_per_extra_poll']):.3f} ticks per extra "
                       f"poll, fitted over {r['lines_fitted']} lines; repetitions then agree "
                       f"within {r['max_residual_ticks']} ticks per request.")
        out.append("")
        rpm = {(r["mode"], r["rmm"], r["op"], r["buffer"], r["size"]): r["rsi_calls_per_mib"]
               for r in qblk or []}
        out.append(md_table(["boot", "op", "size", "bounce", "direct", "bounce/direct",
                             "RSI calls/MiB: bounce", "direct", "converting per request"],
                            [[boot_label(r["mode"], r["rmm"]), r["op"], human(r["size"]),
                              rate(float(r["bounce_bytes_per_vsec"])),
                              rate(float(r["direct_bytes_per_vsec"])),
                              f"{float(r['bounce_over_direct']):.2f}"] +
                             [rpm.get((r["mode"], r["rmm"], r["op"], b, r["size"]), "")
                              for b in BLK_BUFFERS]
                             for r in ratio]))
        out.append("")
    if bfit:
        out.append(md_table(["boot", "op", "bounce: fixed + per byte", "direct: fixed + per byte",
                             "the bounce adds", "limit per byte"],
                            [[boot_label(r["mode"], r["rmm"]), r["op"],
                              f"{r['bounce_fixed_instr']} + {r['bounce_per_byte_instr']}",
                              f"{r['direct_fixed_instr']} + {r['direct_per_byte_instr']}",
                              f"{r['overhead_fixed_instr']} + {r['overhead_per_byte_instr']}",
                              r["limit_per_byte_instr"]] for r in bfit]))
        out.append("")
    if rsi:
        out.append("## QEMU: RSI calls during I/O\n")
        for r in rsi:
            verdict = ""
            if r["phase"] == "steady":
                verdict = (" Steady-state I/O needs **no** RSI call." if int(r["rsi_calls"]) == 0
                           else " Steady-state I/O **does** make RSI calls.")
            out.append(f"- {boot_label(r['mode'], r['rmm'])}, {r['phase']}: "
                       f"{r['rsi_calls']} RSI calls "
                       f"({r['ipa_state_set']} IPA_STATE_SET), {r['granules']} granules converted "
                       f"for {int(r['bytes']) / MIB:.1f} MiB = {r['rsi_calls_per_mib']} RSI "
                       f"calls/MiB, {r['granules_per_mib']} granules/MiB.{verdict}")
        out.append("")
    for boot in boots_of(cross or []):
        out.append(f"Cross-check of the realm's own counters against its host's (and RMM's) "
                   f"final lines, {boot_label(*boot)}: " +
                   "; ".join(f"{r['counter']} {r['guest']} = {r['monitor']} ({r['match']})"
                             for r in cross if (r["mode"], r["rmm"]) == boot) + ".\n")
    if qmem:
        out.append("## QEMU: in-guest map+unmap, instructions per operation\n")
        rows = []
        for boot in boots_of(qmem):
            for size in HOST_SIZES:
                r = {x["direction"]: x for x in qmem
                     if (x["mode"], x["rmm"]) == boot and int(x["size"]) == size}
                if len(r) == 3:
                    rows.append([boot_label(*boot), human(size)] +
                                [f"{float(r[d]['bounce_instr']):.0f} / {float(r[d]['limit_instr']):.0f} "
                                 f"({float(r[d]['bounce_over_limit']):.2f}x)" for d in DIRECTIONS] +
                                [f"{float(r['to_device']['direct_instr']):.0f}"])
        out.append(md_table(["boot", "size", "to_device: bounce / limit", "from_device",
                             "bidirectional", "direct"], rows))
        out.append("")
    if qfit:
        out.append(md_table(["boot", "path", "direction", "fixed", "per byte", "limit: fixed",
                             "limit: per byte"],
                            [[boot_label(r["mode"], r["rmm"]), r["path"], r["direction"],
                              r["fixed_instr"],
                              r["per_byte_instr"], r["limit_fixed_instr"],
                              r["limit_per_byte_instr"]] for r in qfit]))
        out.append("")
    path = os.path.join(a.out, "summary.md")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {path}")
    print("\nGoals (the physical limit beside each):")
    for fig, goal, meas, lim in goals(a):
        print(f"  {fig}: goal {goal}, measured {meas}; limit {lim}")


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
    """positive: True (> 0), False (>= 0) or None (any finite number)."""
    for i, r in enumerate(rows, 2):
        for c in cols:
            x = number(r[c])
            if x is None or (positive and x <= 0) or (positive is False and x < 0):
                kind = {True: "positive", False: "non-negative", None: "finite"}[positive]
                problems.append(f"{name}:{i}: {c} = {r[c]!r} is not a {kind} number")


def check_png(out, name, problems):
    path = os.path.join(out, name)
    try:
        with open(path, "rb") as f:
            if f.read(8) != PNG_MAGIC:
                problems.append(f"{name}: not a PNG")
    except OSError:
        problems.append(f"{name}: missing")


def check_host(out, quick, problems):
    rows = check_csv(out, "host_map.csv", HOST_CSV["host_map.csv"], problems)
    need_numbers("host_map.csv", rows, ["bounce_ns", "direct_ns", "memcpy_ns", "limit_ns",
                                        "bounce_over_memcpy", "direct_over_memcpy",
                                        "bounce_over_limit"], problems)
    seen = {(number(r["size"]), r["direction"]) for r in rows}
    for size in HOST_SIZES:
        for d in DIRECTIONS:
            if (size, d) not in seen:
                problems.append(f"host_map.csv: no row for {size} bytes {d}")
    rows = check_csv(out, "host_instructions.csv", HOST_CSV["host_instructions.csv"], problems)
    need_numbers("host_instructions.csv", rows, ["instructions_per_op"], problems)
    seen = {(r["path"], number(r["size"]), r["dir"]) for r in rows}
    # Quick or not, the callgrind run covers every size; 64 B and 4 KiB at
    # the least.
    for size in ([64, 4096] if quick else HOST_SIZES):
        for p in INSTR_PATHS:
            for d in DIRECTIONS:
                if (p, size, d) not in seen:
                    problems.append(f"host_instructions.csv: no row for {p} {size} {d}")
    if {r["path"] for r in rows} - set(INSTR_PATHS):
        problems.append("host_instructions.csv: a path other than bounce, direct, memcpy")
    rows = check_csv(out, "host_fit.csv", HOST_CSV["host_fit.csv"], problems)
    # A fit's slope is a difference of medians: a path with no per-byte
    # work (direct) can come out a hair below zero.
    need_numbers("host_fit.csv", rows, ["fixed", "per_byte", "limit_fixed", "limit_per_byte"],
                 problems, positive=None)
    if {(r["measure"], r["path"]) for r in rows} != {(m, p) for m in ("instructions", "ns")
                                                     for p in ("bounce", "direct")}:
        problems.append("host_fit.csv: expected instructions and ns for bounce and direct")
    rows = check_csv(out, "host_occupancy.csv", HOST_CSV["host_occupancy.csv"], problems)
    need_numbers("host_occupancy.csv", rows, ["occupancy_pct", "failure_rate", "free_runs",
                                              "mean_free_run_kib"], problems, positive=False)
    if {number(r["size"]) for r in rows} != set(OCC_SIZES):
        problems.append("host_occupancy.csv: expected every size from 2 KiB to 256 KiB")
    targets = {number(r["target_pct"]) for r in rows}
    for t in (0, 95):
        if t not in targets:
            problems.append(f"host_occupancy.csv: no rows at {t}% occupancy")
    rows = check_csv(out, "host_occupancy_time.csv", HOST_CSV["host_occupancy_time.csv"], problems)
    need_numbers("host_occupancy_time.csv", rows, ["map_unmap_4k_ns"], problems)
    # A map that takes back a run it just released searches nothing: 0 probes.
    need_numbers("host_occupancy_time.csv", rows, ["occupancy_pct", "segment_probes_per_map"],
                 problems, positive=False)
    rows = check_csv(out, "host_coherent.csv", HOST_CSV["host_coherent.csv"], problems)
    need_numbers("host_coherent.csv", rows, ["alloc_free_ns"], problems)
    need_numbers("host_coherent.csv", rows, ["rsi_calls_per_op", "ipa_state_set_per_op",
                                             "granules_converted_per_op"], problems, positive=False)
    if {r["path"] for r in rows} != {"atomic_pool", "converting"}:
        problems.append("host_coherent.csv: expected the paths atomic_pool and converting")
    check_scaling(out, "host_scaling.csv", HOST_CSV["host_scaling.csv"], "threads", 4,
                  problems)
    check_png(out, "host_overhead.png", problems)
    check_png(out, "host_occupancy.png", problems)
    check_png(out, "host_scaling.png", problems)


def check_scaling(out, name, header, count, areas, problems):
    """A scaling CSV: every count of threads or vCPUs, with one lock and
    with the given number of areas, at every size; never a speed."""
    rows = check_csv(out, name, header, problems)
    need_numbers(name, rows, ["mops", "mops_min", "mops_max", "rounds"], problems)
    want = {(t, n, s) for t in SCALE_COUNTS for n in (1, areas) for s in SCALE_SIZES}
    if {(number(r[count]), number(r["areas"]), number(r["size"])) for r in rows} != want:
        problems.append(f"{name}: expected 1, 2 and 4 {count}, one lock and {areas} areas, "
                        "at 64 B and 4 KiB")
    for i, r in enumerate(rows, 2):
        lo, med, hi = (number(r[c]) for c in ("mops_min", "mops", "mops_max"))
        if None not in (lo, med, hi) and not lo <= med <= hi:
            problems.append(f"{name}:{i}: the median is outside the lowest .. highest round")


def check_fw_scaling(out, problems):
    check_scaling(out, "fw_scaling.csv", FW_CSV["fw_scaling.csv"], "vcpus", FW_SCALE_VCPUS,
                  problems)
    check_png(out, "fw_scaling.png", problems)


def check_boots(name, rows, boots, problems):
    """Every row of a QEMU CSV names a boot (mode, rmm) that ran, and the
    RMM of its mode: none for the plain boot, one of RMMS for the realm."""
    got = {(r["mode"], r["rmm"]) for r in rows}
    for mode, rmm in sorted(got - set(boots)):
        problems.append(f"{name}: rows for {mode} with rmm={rmm}, which no boot of this run was")


def check_qemu(out, rmms, problems):
    """The qemu part's files, for the realm under each RMM of rmms and the
    plain boot."""
    boots = [("realm", x) for x in rmms] + [("plain", NO_RMM)]
    rows = check_csv(out, "qemu_blk.csv", QEMU_CSV["qemu_blk.csv"], problems)
    check_boots("qemu_blk.csv", rows, boots, problems)
    need_numbers("qemu_blk.csv", rows, ["ticks_per_request", "bytes_per_vsec",
                                        "raw_best_ticks_per_request", "raw_bytes_per_vsec",
                                        "polls_per_request_max"], problems)
    need_numbers("qemu_blk.csv", rows, ["fit_residual_ticks", "rsi_calls_per_mib",
                                        "granules_per_mib"], problems, positive=False)
    # The paths are what makes the comparison meaningful (not a speed): a
    # private buffer's data bounces while the request header and the status
    # byte, in shared coherent memory, go direct (two direct mappings per
    # request), as in a realm driver; shared buffers bounce nothing.
    for r in rows:
        want = "bounced" if r["buffer"] == "private" else "direct"
        what = (f"qemu_blk.csv: {boot_label(r['mode'], r['rmm'])} {r['op']} {r['buffer']} "
                f"{r['size']}")
        if r["path"] != want:
            problems.append(f"{what}: the data went {r['path']}, expected {want}")
        if r["buffer"] != "private" and number(r["bounced_maps_per_request"]) != 0:
            problems.append(f"{what}: {r['bounced_maps_per_request']} bounces per request")
        if r["buffer"] == "private" and number(r["direct_maps_per_request"]) != 2:
            problems.append(f"{what}: {r['direct_maps_per_request']} direct mappings per "
                            "request, expected the header and the status")
    seen = {(r["mode"], r["rmm"], r["op"], r["buffer"], number(r["size"])) for r in rows}
    for key in [(*m, o, b, s) for m in boots for o in BLK_OPS for b in BLK_BUFFERS
                for s in BLK_SIZES]:
        if key not in seen:
            problems.append(f"qemu_blk.csv: no row for {' '.join(map(str, key))}")
    rows = check_csv(out, "qemu_blk_ratio.csv", QEMU_CSV["qemu_blk_ratio.csv"], problems)
    check_boots("qemu_blk_ratio.csv", rows, boots, problems)
    need_numbers("qemu_blk_ratio.csv", rows, ["bounce_over_direct", "convert_over_direct",
                                              "raw_bounce_over_direct"], problems)
    seen = {(r["mode"], r["rmm"], r["op"], number(r["size"])) for r in rows}
    for key in [(*m, o, s) for m in boots for o in BLK_OPS for s in BLK_SIZES]:
        if key not in seen:
            problems.append(f"qemu_blk_ratio.csv: no ratio for {' '.join(map(str, key))}")
    rows = check_csv(out, "qemu_blk_fit.csv", QEMU_CSV["qemu_blk_fit.csv"], problems)
    if {(r["mode"], r["rmm"], r["op"]) for r in rows} != {(*m, o) for m in boots
                                                          for o in BLK_OPS}:
        problems.append("qemu_blk_fit.csv: expected a fit per boot and operation")
    rows = check_csv(out, "qemu_poll_fit.csv", QEMU_CSV["qemu_poll_fit.csv"], problems)
    need_numbers("qemu_poll_fit.csv", rows, ["ticks_per_extra_poll", "max_residual_ticks"],
                 problems, positive=False)
    if sorted((r["mode"], r["rmm"]) for r in rows) != sorted(boots):
        problems.append(f"qemu_poll_fit.csv: expected one row per boot "
                        f"({', '.join(boot_label(*b) for b in boots)})")
    rows = check_csv(out, "qemu_mem.csv", QEMU_CSV["qemu_mem.csv"], problems)
    need_numbers("qemu_mem.csv", rows, ["bounce_instr", "direct_instr", "memcpy_instr",
                                        "limit_instr", "bounce_over_memcpy", "bounce_over_limit",
                                        "direct_over_memcpy"], problems)
    check_boots("qemu_mem.csv", rows, boots, problems)
    seen = {(r["mode"], r["rmm"], number(r["size"]), r["direction"]) for r in rows}
    for key in [(*m, s, d) for m in boots for s in HOST_SIZES for d in DIRECTIONS]:
        if key not in seen:
            problems.append(f"qemu_mem.csv: no row for {' '.join(map(str, key))}")
    rows = check_csv(out, "qemu_mem_fit.csv", QEMU_CSV["qemu_mem_fit.csv"], problems)
    need_numbers("qemu_mem_fit.csv", rows, ["fixed_instr", "per_byte_instr",
                                            "limit_per_byte_instr"], problems, positive=None)
    if {(r["mode"], r["rmm"]) for r in rows} != set(boots):
        problems.append("qemu_mem_fit.csv: expected fits for every boot")
    rows = check_csv(out, "qemu_convert.csv", QEMU_CSV["qemu_convert.csv"], problems)
    need_numbers("qemu_convert.csv", rows, ["bounce_instr", "shared_instr", "convert_instr",
                                            "convert_over_bounce"], problems)
    for rmm in RMMS:
        got = {number(r["size"]) for r in rows if r["rmm"] == rmm}
        if rmm in rmms and got != set(CONVERT_SIZES):
            problems.append(f"qemu_convert.csv: expected every size from 4 KiB to 256 KiB "
                            f"under {RMM_NAMED[rmm]}")
        if rmm not in rmms and got:
            problems.append(f"qemu_convert.csv: rows for {RMM_NAMED[rmm]}, which did not run")
    if {r["rmm"] for r in rows} - set(RMMS):
        problems.append("qemu_convert.csv: an rmm other than emulated and tf-rmm")
    for r in rows:
        if number(r["convert_rsi_calls"]) != 2:
            problems.append(f"qemu_convert.csv: {r['rmm']}: converting {r['size']} bytes made "
                            f"{r['convert_rsi_calls']} RSI calls, not one share and one unshare")
    rows = check_csv(out, "qemu_rsi.csv", QEMU_CSV["qemu_rsi.csv"], problems)
    need_numbers("qemu_rsi.csv", rows, ["rsi_calls_per_mib", "granules_per_mib"], problems,
                 positive=False)
    check_boots("qemu_rsi.csv", rows, boots, problems)
    for rmm in rmms:
        if not any((r["mode"], r["rmm"], r["phase"]) == ("realm", rmm, "steady") for r in rows):
            problems.append(f"qemu_rsi.csv: no steady-state row for the realm ({RMM_LABEL[rmm]})")
    rows = check_csv(out, "qemu_crosscheck.csv", QEMU_CSV["qemu_crosscheck.csv"], problems)
    check_boots("qemu_crosscheck.csv", rows, boots, problems)
    for rmm in rmms:
        if not any((r["mode"], r["rmm"]) == ("realm", rmm) for r in rows):
            problems.append(f"qemu_crosscheck.csv: no cross-check for the realm "
                            f"({RMM_LABEL[rmm]})")
    # Counting, not timing: the realm's counters and the monitor's must agree.
    for r in rows:
        if r["match"] != "yes":
            problems.append(f"qemu_crosscheck.csv: {boot_label(r['mode'], r['rmm'])} "
                            f"{r['counter']}: guest "
                            f"{r['guest']}, monitor {r['monitor']}")
    check_png(out, "qemu_overhead.png", problems)
    check_png(out, "qemu_convert.png", problems)


def check(a, parts):
    problems = []
    if "host" in parts:
        check_host(a.out, a.quick, problems)
    if "qemu" in parts:
        check_qemu(a.out, a.rmms_run, problems)
    if "qemu" in parts or "fw-scaling" in parts:
        check_fw_scaling(a.out, problems)
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
    p.add_argument("part", choices=["host", "qemu", "all", "fw-scaling"],
                   help="fw-scaling: the firmware's scaling boot alone (part of qemu)")
    p.add_argument("--out", required=True)
    p.add_argument("--quick", action="store_true", help="short run for CI smoke tests")
    p.add_argument("--check", action="store_true", help="then verify the output is well-formed")
    p.add_argument("--bench-bin", help="the host benchmark (build/host/bench/ccdma_bench)")
    p.add_argument("--fw-dir", help="the firmware build (build/aarch64-qemu)")
    p.add_argument("--qemu", default="qemu-system-aarch64")
    p.add_argument("--disk", choices=["null", "file"], default="null",
                   help="virtio-blk backend: null-co (default) or a sparse 64 MiB file")
    p.add_argument("--rmm", choices=RMMS, action="append",
                   help="the RMM the realm runs under, once per RMM: the EL2 monitor's "
                        "(emulated) or TF-RMM under TF-A (tf-rmm: needs --rme-qemu and "
                        "--rme-flash, or --tf-rmm-cmd); by default the emulated RMM, and "
                        "TF-RMM too where it can be booted (else it is reported skipped)")
    p.add_argument("--rme-qemu", help="a qemu-system-aarch64 with FEAT_RME (QEMU 10; "
                   "./ccdma deps builds it) for the realm under TF-RMM")
    p.add_argument("--rme-flash", help="the TF-A flash image with ccdma-host.bin as BL33 "
                   "(ccdma-rme-flash.bin of the aarch64-qemu build, made when the TF-A/TF-RMM "
                   "stack is configured)")
    p.add_argument("--tf-rmm-cmd", help="instead of --rme-qemu and --rme-flash: a shell "
                   "command that boots the firmware as a realm under TF-RMM with ccdma.bench=1 "
                   "(ccdma.bench_quick=1 with --quick) and prints its console on stdout")
    p.add_argument("--tf-rmm-unavailable", metavar="REASON",
                   help="why TF-RMM cannot be booted here: reported as the reason it is skipped")
    p.add_argument("--timeout", type=int, default=900, help="per QEMU boot, seconds")
    p.add_argument("--command", help="the command to credit in summary.md")
    a = p.parse_args()
    parts = ["host", "qemu"] if a.part == "all" else [a.part]
    a.rmms_run, a.tf_rmm_skipped = [], None
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
    if "qemu" in parts or "fw-scaling" in parts:
        run_fw_scaling(a)
        plot_scaling(a, gnuplot, "fw_scaling", "vcpus",
                     f"ccdma firmware: bounce map+unmap throughput, all vCPUs "
                     f"({FW_SCALE_VCPUS} vCPUs under multi-threaded TCG, "
                     f"{os.cpu_count()}-core machine, wall clock)")
    write_summary(a)
    if a.tf_rmm_skipped:
        # Again at the end, where it is seen.
        print(f"\nQEMU realm (TF-RMM): skipped: {a.tf_rmm_skipped}")
    if a.check:
        check(a, parts)


if __name__ == "__main__":
    main()
