#!/usr/bin/env python3
"""Verify what a ccdma realm proved about itself, from a boot's console log.

The realm prints its CCA attestation token as framed hex ("ccdma-token:"
lines); the host prints its launch record ("monitor: launch" lines: the
realm and REC parameters, each measured step and the DTB it declared). This
tool checks, one line per check:

  decode        the token is a CCA collection: CBOR tag 399 holding a
                platform and a realm COSE_Sign1
  challenge     the realm token's challenge is the verifier's nonce
  hash-algo     the realm's hash algorithm claim is the host's choice
  rim           the RIM is the one recomputed from the reference image and
                the launch record, by the RMM specification's measurement
                algorithm (DEN0137, "Realm Initial Measurement") as TF-RMM
                implements it
  rem0          REM[0] is the DTB the host declared
  rem1          REM[1] is the reference bootargs
  rem2, rem3    REM[2] and REM[3] are still zero at token time
  signature     the realm token's ES384 signature verifies with the RAK
                public key it carries
  rak-binding   the platform token's challenge is the hash of that key
  platform      what the platform token claims, whether it is a test token,
                and its signature when a platform key is given

With --measurements (no token: the emulated RMM signs none) the RIM, REM[0]
and REM[1] come from the realm's own MEASUREMENT_READ lines instead.

Exit 0 when every check passes, or, with --expect-fail, when exactly the
named checks fail: that is how the tamper tests assert the right check.
Needs Debian's python3-cbor2 and python3-cryptography.
"""
import argparse
import hashlib
import re
import struct
import sys
from urllib.parse import urlparse

try:
    import cbor2
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
except ImportError as e:  # pragma: no cover - environment problem
    print(f"verify: cannot run: {e} (install Debian's python3-cbor2 and python3-cryptography)")
    sys.exit(2)

GRANULE = 0x1000

# CCA token claims (the "Realm Management Monitor Specification", DEN0137,
# "CCA attestation token"; the platform claims from the Arm CCA Security
# Model's platform token, DEN0096).
TAG_CCA_TOKEN = 399
TAG_COSE_SIGN1 = 18
CCA_PLATFORM_TOKEN = 44234
CCA_REALM_TOKEN = 44241
REALM_CHALLENGE = 10
REALM_PROFILE = 265
REALM_PERSONALIZATION = 44235
REALM_HASH_ALGO = 44236
REALM_PUB_KEY = 44237
REALM_RIM = 44238
REALM_REMS = 44239
REALM_PUB_KEY_HASH_ALGO = 44240
PLAT_CHALLENGE = 10
PLAT_PROFILE = 265
PLAT_INSTANCE_ID = 256
PLAT_VERIFICATION_SERVICE = 2400
PLAT_IMPLEMENTATION_ID = 2396
PLAT_LIFECYCLE = 2395
PLAT_CONFIG = 2401
PLAT_HASH_ALGO = 2402
PLAT_SW_COMPONENTS = 2399
COSE_ALG = 1
COSE_ES384 = -35
COSE_KTY_EC2, COSE_CRV_P384 = 2, 2

# Security lifecycle states (PSA / CCA platform token), by their top nibble group.
LIFECYCLE = {0x0: "unknown", 0x1: "assembly and test", 0x2: "PSA RoT provisioning",
             0x3: "secured", 0x4: "non-PSA RoT debug", 0x5: "recoverable PSA RoT debug",
             0x6: "decommissioned"}

# RMI hash algorithms and the hashes a realm's measurements use.
HASHES = {"sha256": (0, hashlib.sha256, "sha-256"), "sha512": (1, hashlib.sha512, "sha-512")}

# Measurement descriptor kinds and layout (0x100 bytes each).
DESC_DATA, DESC_REC, DESC_RIPAS = 0, 1, 2
DESC_SIZE = 0x100
RMI_MEASURE_CONTENT = 1


class Checks:
    def __init__(self):
        self.results = []

    def check(self, name, ok, what, detail=""):
        self.results.append((name, ok))
        line = f"verify: {'ok  ' if ok else 'FAIL'} {name}: {what}"
        print(line + (f" ({detail})" if detail else ""))
        return ok

    def failed(self):
        return {n for n, ok in self.results if not ok}


# ---- What the log holds ------------------------------------------------------------

def read_token(log):
    lines = [m.group(1) for m in re.finditer(r"^ccdma-token: (\S+)$", log, re.M)]
    if not lines or lines[-1] != "end":
        return None
    return bytes.fromhex("".join(lines[:-1]))


def read_launch(log):
    """The host's launch record, in order: a list of (kind, fields) and the DTB."""
    steps, dtb_hex, dtb_done = [], [], False
    for m in re.finditer(r"^monitor: launch (\S+)(.*)$", log, re.M):
        kind, rest = m.group(1), m.group(2).strip()
        if kind == "dtb":
            if rest == "end":
                dtb_done = True
            else:
                dtb_hex.append(rest)
            continue
        fields = dict(kv.split("=", 1) for kv in rest.split())
        steps.append((kind, fields))
    return steps, bytes.fromhex("".join(dtb_hex)) if dtb_done else None


def read_measurement(log, what):
    m = re.search(r"^# measurement: " + re.escape(what) + r" (\w+):([0-9a-f]+)$", log, re.M)
    return bytes.fromhex(m.group(2)) if m else None


def num(fields, key):
    return int(fields[key], 0)


# ---- The RMM's measurement algorithm -----------------------------------------------

def realm_params_rim(h, f):
    """REALM_CREATE: the hash of an RmiRealmParams granule that holds only
    the measured fields (flags, s2sz, sve_vl, num_bps, num_wps,
    pmu_num_ctrs, hash_algo), everything else zero."""
    p = bytearray(GRANULE)
    struct.pack_into("<Q", p, 0x00, num(f, "flags"))
    for off, key in ((0x08, "s2sz"), (0x10, "sve_vl"), (0x18, "num_bps"),
                     (0x20, "num_wps"), (0x28, "pmu_num_ctrs")):
        struct.pack_into("<B", p, off, num(f, key))
    struct.pack_into("<B", p, 0x30, HASHES[f["hash"]][0])
    return h(bytes(p)).digest()


def extend_rim(h, rim, kind, body):
    d = bytearray(DESC_SIZE)
    d[0] = kind
    struct.pack_into("<Q", d, 0x08, DESC_SIZE)
    d[0x10:0x10 + len(rim)] = rim
    d[0x50:0x50 + len(body)] = body
    return h(bytes(d)).digest()


def rec_params_hash(h, f):
    """REC_CREATE: the hash of an RmiRecParams granule holding only flags,
    pc and the eight GPRs."""
    p = bytearray(GRANULE)
    struct.pack_into("<Q", p, 0x000, num(f, "flags"))
    struct.pack_into("<Q", p, 0x200, num(f, "pc"))
    for i in range(8):
        struct.pack_into("<Q", p, 0x300 + 8 * i, num(f, f"x{i}"))
    return h(bytes(p)).digest()


def recompute_rim(steps, image):
    """The RIM from the launch record, with the image's pages taken from the
    reference file (zero-padded to a granule), never from the log."""
    if not steps or steps[0][0] != "realm":
        raise ValueError("the launch record does not start with the realm's parameters")
    h = HASHES[steps[0][1]["hash"]][1]
    rim = realm_params_rim(h, steps[0][1])
    for kind, f in steps[1:]:
        if kind == "init_ripas":
            base, top, entry = num(f, "base"), num(f, "top"), num(f, "entry")
            if entry == 0 or base % entry or top <= base:
                raise ValueError(f"bad init_ripas step {f}")
            for b in range(base, top, entry):
                rim = extend_rim(h, rim, DESC_RIPAS, struct.pack("<QQ", b, b + entry))
        elif kind == "data":
            ipa, pages, measure = num(f, "ipa"), num(f, "pages"), num(f, "measure")
            content = None
            if measure:
                if f.get("what") != "image":
                    raise ValueError(f"measured data that is not the image: {f}")
                content = image + bytes(-len(image) % GRANULE)
                if len(content) != pages * GRANULE:
                    raise ValueError(f"the host loaded {pages} image pages, the reference "
                                     f"image has {len(content) // GRANULE}")
            for i in range(pages):
                digest = b""
                flags = RMI_MEASURE_CONTENT if measure else 0
                if measure:
                    digest = h(content[i * GRANULE:(i + 1) * GRANULE]).digest()
                body = struct.pack("<QQ", ipa + i * GRANULE, flags) + digest
                rim = extend_rim(h, rim, DESC_DATA, body)
        elif kind == "rec":
            if num(f, "flags") & 1:  # only runnable RECs are measured
                rim = extend_rim(h, rim, DESC_REC, rec_params_hash(h, f))
        else:
            raise ValueError(f"unknown launch step {kind!r}")
    return rim


def rem_after_one(h, data):
    """A REM extended once, from zero, with H(data): H(0^n || H(data))."""
    n = h().digest_size
    return h(bytes(n) + h(data).digest()).digest()


# ---- COSE ----------------------------------------------------------------------------

def sign1_parts(raw):
    obj = cbor2.loads(raw)
    if isinstance(obj, cbor2.CBORTag):
        if obj.tag != TAG_COSE_SIGN1:
            raise ValueError(f"tag {obj.tag}, not COSE_Sign1")
        obj = obj.value
    if not isinstance(obj, list) or len(obj) != 4:
        raise ValueError("not a COSE_Sign1 array")
    protected, unprotected, payload, signature = obj
    header = cbor2.loads(protected) if protected else {}
    return protected, header, unprotected, payload, signature


def sig_structure(protected, payload):
    return cbor2.dumps(["Signature1", protected, b"", payload])


def es384_verify(key, protected, payload, signature):
    if len(signature) != 96:
        raise InvalidSignature()
    r, s = int.from_bytes(signature[:48], "big"), int.from_bytes(signature[48:], "big")
    key.verify(encode_dss_signature(r, s), sig_structure(protected, payload),
               ec.ECDSA(hashes.SHA384()))


def rak_public_key(raw):
    """The RAK as the realm token carries it: a COSE_Key (EC2, P-384)."""
    k = cbor2.loads(raw)
    if not isinstance(k, dict) or k.get(1) != COSE_KTY_EC2 or k.get(-1) != COSE_CRV_P384:
        raise ValueError("not an EC2 P-384 COSE_Key")
    x, y = k.get(-2), k.get(-3)
    if not isinstance(x, bytes) or not isinstance(y, bytes) or len(x) != 48 or len(y) != 48:
        raise ValueError("bad P-384 coordinates")
    return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                         ec.SECP384R1()).public_key()


# ---- The checks ----------------------------------------------------------------------

def check_measurements(c, a, rim, rems, algo, steps, dtb, image):
    try:
        want = recompute_rim(steps, image)
        c.check("rim", rim == want, "the RIM is the recomputation from the image and the launch "
                "record", f"token {rim.hex()[:16]}..., recomputed {want.hex()[:16]}...")
    except (ValueError, KeyError) as e:
        c.check("rim", False, "the RIM is recomputed from the launch record", str(e))
    h = HASHES[algo][1]
    if dtb is None:
        c.check("rem0", False, "REM[0] is the declared DTB", "the launch record has no DTB")
    else:
        c.check("rem0", rems[0] == rem_after_one(h, dtb), "REM[0] is the DTB the host declared",
                f"{len(dtb)} bytes")
    if len(rems) < 2:
        return
    if a.bootargs is None:
        return
    args = a.bootargs.encode()
    want1 = rem_after_one(h, args + b"\0") if args else bytes(h().digest_size)
    c.check("rem1", rems[1] == want1, "REM[1] is the reference bootargs", f"{len(args)} bytes")
    if len(rems) == 4:
        for i in (2, 3):
            c.check(f"rem{i}", rems[i] == bytes(len(rems[i])), f"REM[{i}] is still zero")


def report_platform(c, a, claims, protected, header, payload, signature):
    lc = claims.get(PLAT_LIFECYCLE, -1)
    lc_name = LIFECYCLE.get((lc >> 12) & 0xf, "invalid") if isinstance(lc, int) else "invalid"
    service = claims.get(PLAT_VERIFICATION_SERVICE, "")
    host = urlparse(service).hostname or ""
    sw = claims.get(PLAT_SW_COMPONENTS, [])
    names = [s.get(1, "?") for s in sw if isinstance(s, dict)]
    print(f"verify: platform: profile {claims.get(PLAT_PROFILE)!r}, lifecycle 0x{lc:04x} "
          f"({lc_name}), hash {claims.get(PLAT_HASH_ALGO)!r}, "
          f"{len(names)} software components ({', '.join(names)})")
    impl = claims.get(PLAT_IMPLEMENTATION_ID, b"")
    inst = claims.get(PLAT_INSTANCE_ID, b"")
    print(f"verify: platform: implementation {impl.hex()[:32]}..., instance {inst.hex()[:32]}..., "
          f"config {claims.get(PLAT_CONFIG, b'').hex()}, verification service {service}")
    # A test token: one no real platform would sign. Its verification
    # service lies under a domain reserved for examples (RFC 2606), or its
    # lifecycle is not "secured".
    reasons = []
    if host == "example" or host.endswith(".example") or host.endswith("example.com"):
        reasons.append(f"its verification service {host} is an RFC 2606 example domain")
    if lc_name != "secured":
        reasons.append(f"its lifecycle is {lc_name}")
    if reasons:
        print(f"verify: platform: a test token: {'; '.join(reasons)}")
    else:
        print("verify: platform: not recognisably a test token")
    if a.platform_key:
        with open(a.platform_key, "rb") as f:
            key = serialization.load_pem_public_key(f.read())
        try:
            es384_verify(key, protected, payload, signature)
            ok = header.get(COSE_ALG) == COSE_ES384
        except InvalidSignature:
            ok = False
        c.check("platform-signature", ok, "the platform token verifies with the given key")
    else:
        print("verify: platform: signature not checked: no platform key given (on QEMU "
              "TF-A's platform token is a fixed sample with no provisioned key)")


def verify_token(c, a, token, steps, dtb, image):
    try:
        coll = cbor2.loads(token)
        if not isinstance(coll, cbor2.CBORTag) or coll.tag != TAG_CCA_TOKEN:
            raise ValueError("not CBOR tag 399")
        plat = sign1_parts(coll.value[CCA_PLATFORM_TOKEN])
        realm = sign1_parts(coll.value[CCA_REALM_TOKEN])
        pclaims, rclaims = cbor2.loads(plat[3]), cbor2.loads(realm[3])
        c.check("decode", True, "a CCA token: tag 399, platform and realm COSE_Sign1",
                f"{len(token)} bytes, realm profile {rclaims.get(REALM_PROFILE)!r}")
    except (ValueError, KeyError, TypeError, cbor2.CBORDecodeError) as e:
        c.check("decode", False, "a CCA token: tag 399, platform and realm COSE_Sign1", str(e))
        return
    challenge = rclaims.get(REALM_CHALLENGE, b"")
    c.check("challenge", challenge == a.nonce, "the realm token's challenge is the verifier's "
            "nonce", f"{challenge.hex()[:16]}... vs {a.nonce.hex()[:16]}...")
    algo = steps[0][1].get("hash") if steps and steps[0][0] == "realm" else None
    claim = rclaims.get(REALM_HASH_ALGO)
    rim, rems = rclaims.get(REALM_RIM, b""), rclaims.get(REALM_REMS, [])
    ok = algo in HASHES and claim == HASHES[algo][2] and len(rim) == HASHES[algo][1]().digest_size
    c.check("hash-algo", ok, "the hash algorithm claim is the host's choice",
            f"claim {claim!r}, host {algo}")
    if not ok:
        return
    if not isinstance(rems, list) or len(rems) != 4:
        c.check("rem0", False, "the token has four REMs", repr(rems)[:40])
        return
    check_measurements(c, a, rim, rems, algo, steps, dtb, image)
    print(f"verify: realm: personalization value {rclaims.get(REALM_PERSONALIZATION, b'').hex()[:16]}"
          f"..., RIM {rim.hex()}")

    try:
        key = rak_public_key(rclaims.get(REALM_PUB_KEY, b""))
        if realm[1].get(COSE_ALG) != COSE_ES384:
            raise InvalidSignature()
        es384_verify(key, realm[0], realm[3], realm[4])
        c.check("signature", True, "the realm token verifies with the RAK it carries (ES384)")
    except (ValueError, InvalidSignature) as e:
        c.check("signature", False, "the realm token verifies with the RAK it carries (ES384)",
                str(e) or "bad signature")
    key_algo = rclaims.get(REALM_PUB_KEY_HASH_ALGO)
    kh = {"sha-256": hashlib.sha256, "sha-384": hashlib.sha384, "sha-512": hashlib.sha512}.get(key_algo)
    bound = kh is not None and pclaims.get(PLAT_CHALLENGE) == kh(rclaims.get(REALM_PUB_KEY, b"")).digest()
    c.check("rak-binding", bound, "the platform token's challenge is the RAK's hash",
            f"{key_algo}")
    report_platform(c, a, pclaims, *plat[:2], plat[3], plat[4])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--log", required=True, help="the boot's console log")
    p.add_argument("--image", required=True, help="the reference realm image (ccdma.bin)")
    p.add_argument("--nonce", help="the verifier's challenge, 128 hex digits")
    p.add_argument("--bootargs", help="the reference bootargs (\"\" for none)")
    p.add_argument("--measurements", action="store_true",
                   help="no token: check the RIM and REM[0] the realm read back itself")
    p.add_argument("--platform-key", help="a PEM public key for the platform token")
    p.add_argument("--expect-fail", default=None,
                   help="comma-separated checks that must fail, all others passing")
    a = p.parse_args()
    with open(a.log, errors="replace") as f:
        log = f.read().replace("\r\n", "\n")
    with open(a.image, "rb") as f:
        image = f.read()
    steps, dtb = read_launch(log)
    c = Checks()
    if a.measurements:
        rim = read_measurement(log, "RIM")
        rems = [read_measurement(log, f"REM[{i}]") for i in (0, 1)]
        algo = steps[0][1].get("hash") if steps and steps[0][0] == "realm" else None
        if rim is None or None in rems or algo not in HASHES:
            c.check("decode", False, "the realm printed its RIM and REMs, the host its record")
        else:
            check_measurements(c, a, rim, rems, algo, steps, dtb, image)
    else:
        a.nonce = bytes.fromhex(a.nonce or "")
        token = read_token(log)
        if token is None:
            c.check("decode", False, "the log holds a whole token (ccdma-token: ... end)")
        else:
            verify_token(c, a, token, steps, dtb, image)
    failed = c.failed()
    print(f"verify: {len(c.results)} checks, {len(c.results) - len(failed)} passed, "
          f"{len(failed)} failed")
    if a.expect_fail is None:
        return 1 if failed else 0
    want = {n for n in a.expect_fail.split(",") if n}
    if failed == want:
        print(f"verify: as expected, exactly {', '.join(sorted(want))} failed")
        return 0
    print(f"verify: expected exactly {sorted(want)} to fail, got {sorted(failed)}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
