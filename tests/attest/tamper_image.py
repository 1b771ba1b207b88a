#!/usr/bin/env python3
"""Make a host image whose realm image is not the reference one.

Finds the realm image (ccdma.bin) inside a host image (ccdma-host.bin or
ccdma-realm.elf carry it byte for byte) and changes one byte of it: the
first letter of a console message, upper-cased. The realm still runs, and
prints the changed message, which shows the tampered image is what ran;
only its RIM can tell a verifier.
"""
import argparse
import sys

MESSAGE = b"attestation token: %zu bytes"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", required=True, help="the host image that carries the realm's")
    p.add_argument("--image", required=True, help="the realm image (ccdma.bin)")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    host = bytearray(open(a.host, "rb").read())
    image = open(a.image, "rb").read()
    at = host.find(image)
    if at < 0 or host.find(image, at + 1) >= 0:
        sys.exit(f"tamper_image: {a.image} is not in {a.host} exactly once")
    msg = image.find(MESSAGE)
    if msg < 0 or image.find(MESSAGE, msg + 1) >= 0:
        sys.exit(f"tamper_image: the message {MESSAGE!r} is not in {a.image} exactly once")
    host[at + msg] = ord(MESSAGE[:1].upper())
    with open(a.out, "wb") as f:
        f.write(host)
    print(f"tamper_image: {a.out}: realm image byte 0x{msg:x} changed")


if __name__ == "__main__":
    main()
