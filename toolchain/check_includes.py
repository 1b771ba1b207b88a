#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The include graph's one-way rules, checked over the source tree.

  check_includes.py [ROOT]     check the tree at ROOT (default: this repo)
  check_includes.py --plant D  write a small tree with forbidden includes
                               into D and check it (it must fail)
  check_includes.py --self-test
                               each rule, planted alone, must be caught,
                               and a clean tree must pass

Dependencies point one way: drivers -> dma -> seam <- arch, and boot wires
them up. So:
  dma/, drivers/  include only include/ccdma/*.h, headers of their own
                  folder and the C library: the seam is their only way to
                  the machine;
  arch/           includes nothing from boot/, bench/ or tests/;
  boot/           includes nothing from bench/ or tests/;
  include/        (the public API) includes only itself and the C library.
A quoted include is resolved as the compiler does: next to the including
file, then from the repository root, then from include/.
"""
import os
import re
import sys
import tempfile

SOURCES = (".c", ".h", ".S")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')

# What "the C library" may be included as (freestanding and hosted C11).
C_LIBRARY = {
    "assert.h", "ctype.h", "errno.h", "inttypes.h", "limits.h", "stdalign.h",
    "stdarg.h", "stdatomic.h", "stdbool.h", "stddef.h", "stdint.h", "stdio.h",
    "stdlib.h", "stdnoreturn.h", "string.h",
}

# folder -> folders it must not include from. "self+api" folders may include
# only their own folder, include/ccdma and the C library.
FORBIDDEN = {
    "arch": ("boot", "bench", "tests"),
    "boot": ("bench", "tests"),
}
SELF_AND_API = ("dma", "drivers", "include")


def top(rel):
    return rel.split("/", 1)[0]


def resolve(root, src_rel, name):
    """The repository path a quoted include names, or None if outside it."""
    for base in (os.path.dirname(src_rel), "", "include"):
        cand = os.path.normpath(os.path.join(base, name))
        if not cand.startswith("..") and os.path.isfile(os.path.join(root, cand)):
            return cand
    return None


def check_file(root, rel):
    errors = []
    area = top(rel)
    with open(os.path.join(root, rel), errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            kind, name = m.groups()
            where = f"{rel}:{n}: {kind}{name}{'>' if kind == '<' else kind}"
            if kind == "<":
                if area in SELF_AND_API and name not in C_LIBRARY and \
                        not (name.startswith("ccdma/") and
                             os.path.isfile(os.path.join(root, "include", name))):
                    errors.append(f"{where}: {area}/ may include only ccdma/*.h and the "
                                  "C library")
                continue
            target = resolve(root, rel, name)
            if target is None:
                if area in SELF_AND_API:
                    errors.append(f"{where}: not a file of the tree")
                continue
            to = top(target)
            if area in SELF_AND_API:
                if to != area and not (to == "include" and target.startswith("include/ccdma/")):
                    errors.append(f"{where}: {area}/ may not include {to}/ ({target})")
            elif to in FORBIDDEN.get(area, ()):
                errors.append(f"{where}: {area}/ may not include {to}/ ({target})")
    return errors


def check_tree(root):
    errors = []
    for area in ("dma", "drivers", "include", "arch", "boot"):
        for dirpath, _, files in os.walk(os.path.join(root, area)):
            for f in sorted(files):
                if f.endswith(SOURCES):
                    rel = os.path.relpath(os.path.join(dirpath, f), root)
                    errors += check_file(root, rel)
    return errors


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


CLEAN = {
    "include/ccdma/platform.h": "#include <stdint.h>\n",
    "dma/core.c": '#include <string.h>\n#include <ccdma/platform.h>\n#include "core.h"\n',
    "dma/core.h": "#include <stdbool.h>\n",
    "drivers/virtio/v.c": '#include "drivers/pci/pci.h"\n#include <ccdma/platform.h>\n',
    "drivers/pci/pci.h": "#include <stdint.h>\n",
    "arch/arm64/mmu.h": '#include "arch/pgtable.h"\n',
    "arch/pgtable.h": "#include <stdint.h>\n",
    "boot/runtime.h": '#include "arch/arm64/mmu.h"\n#include <libfdt.h>\n',
    "bench/b.h": '#include "boot/runtime.h"\n',
    "tests/boot/t.h": '#include "boot/runtime.h"\n',
}

# One forbidden edge each: (file, text, what the report must name).
PLANTS = [
    ("dma/bad_arch.c", '#include "arch/arm64/mmu.h"\n', "dma/ may not include arch/"),
    ("dma/bad_boot.c", '#include "boot/runtime.h"\n', "dma/ may not include boot/"),
    ("drivers/bad_lib.c", "#include <libfdt.h>\n", "drivers/ may include only"),
    ("drivers/bad_dma.c", '#include "dma/core.h"\n', "drivers/ may not include dma/"),
    ("arch/arm64/bad.c", '#include "boot/runtime.h"\n', "arch/ may not include boot/"),
    ("arch/bad_rel.c", '#include "../bench/b.h"\n', "arch/ may not include bench/"),
    ("boot/bad.c", '#include "bench/b.h"\n', "boot/ may not include bench/"),
    ("boot/bad_tests.c", '#include "tests/boot/t.h"\n', "boot/ may not include tests/"),
    ("include/ccdma/bad.h", '#include "boot/runtime.h"\n', "include/ may not include boot/"),
]


def plant(root, plants):
    for rel, text in CLEAN.items():
        write(root, rel, text)
    for rel, text, _ in plants:
        write(root, rel, text)


def self_test():
    bad = 0
    with tempfile.TemporaryDirectory() as d:
        plant(d, [])
        errs = check_tree(d)
        if errs:
            print("self-test: the clean tree fails:\n  " + "\n  ".join(errs))
            bad += 1
    for p in PLANTS:
        with tempfile.TemporaryDirectory() as d:
            plant(d, [p])
            errs = check_tree(d)
            if len(errs) != 1 or p[2] not in errs[0] or not errs[0].startswith(p[0]):
                print(f"self-test: {p[0]} ({p[1].strip()}) reported as {errs}")
                bad += 1
    print(f"self-test: {len(PLANTS)} planted edges, {bad} rules failed")
    return 1 if bad else 0


def report(root):
    errors = check_tree(root)
    for e in errors:
        print(e)
    print(f"include graph of {root}: {len(errors)} forbidden includes")
    return 1 if errors else 0


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    if argv[1:2] == ["--plant"] and len(argv) == 3:
        plant(argv[2], PLANTS)
        return report(argv[2])
    if len(argv) > 2:
        sys.exit(__doc__.strip())
    root = argv[1] if len(argv) == 2 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return report(root)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
