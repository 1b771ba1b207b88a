#!/usr/bin/env python3
"""Boot a ccdma realm with a fresh challenge, then verify what it proves.

Plays the verifier around tests/qemu/boot_test.py: it draws a 64-byte nonce,
hands it to the realm as the bootarg ccdma.challenge (the realm asks the RMM
for a token with it and prints the token), boots, and runs verify_token.py on
the console log with the nonce, the reference image and the bootargs it
meant the realm to get.

--tamper plays a host that departs from that:
  nonce     the realm gets a nonce this verifier never issued (a replay)
  bootargs  the host adds a bootarg of its own (ccdma.force_bounce=1)
The other two tampers need no help here: a different image is a different
--image to boot_test.py, and a DTB other than the declared one is the host's
own misbehaviour (fw_cfg opt/ccdma/host-tamper=dtb).

Everything after "--" goes to boot_test.py.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
BOOT_TEST = os.path.join(HERE, "..", "qemu", "boot_test.py")
VERIFIER = os.path.join(HERE, "verify_token.py")
HOST_ADDED_ARG = "ccdma.force_bounce=1"


def with_challenge(policy, nonce):
    return " ".join(x for x in (policy, "ccdma.challenge=" + nonce.hex()) if x)


def main():
    argv = sys.argv[1:]
    rest = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--verifier-python", default=sys.executable,
                   help="a Python with cbor2 and cryptography")
    p.add_argument("--image", required=True, help="the reference realm image (ccdma.bin)")
    p.add_argument("--bootargs", default="", help="the realm's policy bootargs")
    p.add_argument("--tamper", choices=["nonce", "bootargs"])
    p.add_argument("--measurements", action="store_true",
                   help="no token (the emulated RMM): verify the measurements the realm read")
    p.add_argument("--expect-fail", help="checks that must fail (verify_token.py)")
    p.add_argument("--log", required=True)
    p.add_argument("--live", action="store_true")
    a = p.parse_args(argv)

    nonce = os.urandom(64)
    realm_nonce = os.urandom(64) if a.tamper == "nonce" else nonce
    policy = a.bootargs
    given = " ".join(x for x in (policy, HOST_ADDED_ARG if a.tamper == "bootargs" else "") if x)
    boot = [sys.executable, BOOT_TEST, "--append", with_challenge(given, realm_nonce),
            "--log", a.log] + rest
    if a.live:
        boot.append("--live")
    elif not a.measurements:
        boot += ["--expect", r"^ccdma: [Aa]ttestation token: [0-9]+ bytes"]
    print(f"verify: nonce {nonce.hex()}" + (f", the realm gets {realm_nonce.hex()[:16]}..."
                                            if realm_nonce != nonce else ""), flush=True)
    rc = subprocess.run(boot, stdin=subprocess.DEVNULL).returncode
    if rc != 0:
        print(f"verify: the boot failed (exit {rc}): nothing to verify")
        return rc
    verify = [a.verifier_python, VERIFIER, "--log", a.log, "--image", a.image,
              "--bootargs", with_challenge(policy, nonce)]
    verify += ["--measurements"] if a.measurements else ["--nonce", nonce.hex()]
    if a.expect_fail:
        verify += ["--expect-fail", a.expect_fail]
    return subprocess.run(verify, stdin=subprocess.DEVNULL).returncode


if __name__ == "__main__":
    sys.exit(main())
