#!/usr/bin/env python3
"""./ccdma's options: each case is (arguments, exit status, message regex).

Every case runs with --dry-run or fails in parsing, so nothing is built or
booted. No run may die of a shell error (an unset variable, a bad shift).
"""
import re
import subprocess
import sys

CASES = [
    # A flag without its value is named, never "unbound variable".
    (["run", "--mode"], 2, r"run: --mode needs a value"),
    (["run", "--boot"], 2, r"run: --boot needs a value"),
    (["run", "--append"], 2, r"run: --append needs a value"),
    (["run", "--mode", "--boot", "bios"], 2, r"run: --mode needs a value"),
    (["fuzz", "dma", "--time"], 2, r"fuzz: --time needs a value"),
    # --option=value is the same as --option value.
    (["run", "--mode=plain", "--dry-run"], 0, r"would boot plain, kernel"),
    (["run", "--mode", "plain", "--boot=bios", "--dry-run"], 0, r"would boot plain, bios"),
    (["run", "--mode=el3", "--dry-run"], 0, r"would boot el3, bios"),
    (["run", "--dry-run"], 0, r"would boot a realm, RMM emulated"),
    (["run", "--rmm=tf-rmm", "--dry-run"], 0, r"would boot a realm, RMM tf-rmm"),
    (["run", "--append=ccdma.inject=reject", "--dry-run"], 0, r"would boot a realm"),
    (["run", "--arch=arm", "--dry-run"], 0, r"would boot AArch32 plain, kernel"),
    (["run", "--vmm=kvmtool", "--transport=mmio", "--dry-run"], 0, r"kvmtool, transport mmio"),
    # Help is usage on stdout and success.
    (["run", "--help"], 0, r"Usage: \./ccdma COMMAND"),
    (["fuzz", "--help"], 0, r"Usage: \./ccdma COMMAND"),
    (["help"], 0, r"Usage: \./ccdma COMMAND"),
    # --boot means nothing to a realm: refused, not ignored.
    (["run", "--boot", "kernel", "--dry-run"], 2, r"--boot is for plain, el2 and el3"),
    (["run", "--mode=realm", "--boot=bios", "--dry-run"], 2, r"--boot is for plain, el2 and el3"),
    # Values are checked.
    (["run", "--mode=bogus", "--dry-run"], 2, r"--mode must be realm, plain, el2 or el3"),
    (["run", "--boot=elf", "--mode=plain", "--dry-run"], 2, r"--boot must be kernel or bios"),
    (["run", "--rmm=tf-rmm", "--mode=plain", "--dry-run"], 2, r"--rmm is for the realm mode"),
    (["run", "--arch=arm", "--mode=realm", "--dry-run"], 2, r"realms are AArch64-only"),
    (["run", "--bogus"], 2, r"run: unknown option --bogus"),
    (["fuzz", "--time=abc", "dma"], 2, r"fuzz: --time takes seconds"),
    (["nonsense"], 2, r"unknown command 'nonsense'"),
]

SHELL_ERRORS = re.compile(r"unbound variable|shift count|syntax error|command not found")


def main():
    ccdma = sys.argv[1]
    failures = 0
    for args, status, rx in CASES:
        p = subprocess.run([ccdma] + args, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=30)
        out = p.stdout + p.stderr
        problems = []
        if p.returncode != status:
            problems.append(f"exit status {p.returncode}, expected {status}")
        if not re.search(rx, out):
            problems.append(f"no /{rx}/ in the output")
        if SHELL_ERRORS.search(out):
            problems.append("a shell error: " + SHELL_ERRORS.search(out).group(0))
        verdict = "not ok" if problems else "ok"
        print(f"{verdict} - ccdma {' '.join(args)}")
        for pr in problems:
            print("    " + pr)
        if problems:
            print("    output: " + out.strip().replace("\n", "\n            ")[:600])
            failures += 1
    print(f"{len(CASES) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
