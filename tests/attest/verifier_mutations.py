#!/usr/bin/env python3
"""The verifier against tokens that are wrong in known ways.

Takes the log of a boot whose token verifies (attest-tfrmm), rewrites the
token in it, and runs verify_token.py on each copy: every mutation must fail
exactly the checks it breaks and no other. The nonce and the reference
bootargs are the ones the host printed ("monitor: bootargs from fw_cfg").
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFIER = os.path.join(HERE, "verify_token.py")
PLATFORM, REALM = 44234, 44241
RIM, PUB_KEY = 44238, 44237


def token_of(log):
    lines = re.findall(r"^ccdma-token: (\S+)$", log, re.M)
    return bytes.fromhex("".join(lines[:-1]))


def with_token(log, token):
    """The log with its token lines replaced by this token's."""
    hexed = token.hex()
    framed = "".join(f"ccdma-token: {hexed[i:i + 128]}\n" for i in range(0, len(hexed), 128))
    framed += "ccdma-token: end\n"
    start = log.index("ccdma-token: ")
    end = log.index("ccdma-token: end\n") + len("ccdma-token: end\n")
    return log[:start] + framed + log[end:]


def realm_parts(token):
    coll = cbor2.loads(token)
    sign1 = cbor2.loads(coll.value[REALM])
    return coll, sign1.value if isinstance(sign1, cbor2.CBORTag) else sign1


def repack(coll, parts):
    coll.value[REALM] = cbor2.dumps(cbor2.CBORTag(18, parts))
    return cbor2.dumps(coll)


def flip_signature(token):
    coll, parts = realm_parts(token)
    parts[3] = parts[3][:-1] + bytes([parts[3][-1] ^ 1])
    return repack(coll, parts)


def change_rim(token):
    coll, parts = realm_parts(token)
    claims = cbor2.loads(parts[2])
    claims[RIM] = bytes([claims[RIM][0] ^ 1]) + claims[RIM][1:]
    parts[2] = cbor2.dumps(claims)
    return repack(coll, parts)


def own_rak(token):
    """A realm token signed by a key of our own, which it carries: the
    signature verifies, but the platform never vouched for that key."""
    coll, parts = realm_parts(token)
    claims = cbor2.loads(parts[2])
    key = ec.generate_private_key(ec.SECP384R1())
    nums = key.public_key().public_numbers()
    claims[PUB_KEY] = cbor2.dumps({1: 2, -1: 2, -2: nums.x.to_bytes(48, "big"),
                                   -3: nums.y.to_bytes(48, "big")})
    parts[2] = cbor2.dumps(claims)
    tbs = cbor2.dumps(["Signature1", parts[0], b"", parts[2]])
    r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(hashes.SHA384())))
    parts[3] = r.to_bytes(48, "big") + s.to_bytes(48, "big")
    return repack(coll, parts)


def truncate(token):
    return token[:len(token) // 2]


MUTATIONS = [
    ("unchanged", lambda t: t, ""),
    ("realm signature changed", flip_signature, "signature"),
    ("RIM claim changed, not re-signed", change_rim, "rim,signature"),
    ("realm token signed by a RAK of its own", own_rak, "rak-binding"),
    ("token cut short", truncate, "decode"),
]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--log", required=True)
    p.add_argument("--image", required=True)
    a = p.parse_args()
    log = open(a.log, errors="replace").read()
    m = re.search(r"^monitor: bootargs from fw_cfg \S+: (.*)$", log, re.M)
    nonce = re.search(r"ccdma\.challenge=([0-9a-f]{128})", m.group(1) if m else "")
    if not m or not nonce:
        print(f"FAIL: {a.log} has no bootargs with a challenge")
        return 1
    token, failures = token_of(log), 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, (what, mutate, expect) in enumerate(MUTATIONS):
            path = os.path.join(tmp, f"{i}.log")
            with open(path, "w") as f:
                f.write(with_token(log, mutate(token)))
            cmd = [sys.executable, VERIFIER, "--log", path, "--image", a.image,
                   "--nonce", nonce.group(1), "--bootargs", m.group(1)]
            if expect:
                cmd += ["--expect-fail", expect]
            out = subprocess.run(cmd, capture_output=True, text=True)
            ok = out.returncode == 0
            failures += not ok
            print(f"{'ok' if ok else 'not ok'} {i + 1} - {what}: "
                  f"{'fails ' + expect if expect else 'verifies'}")
            if not ok:
                sys.stdout.write(out.stdout + out.stderr)
    print(f"{len(MUTATIONS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
