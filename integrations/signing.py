"""The `X-DSP-Signature` header: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.

During a secret rotation's overlap the header carries one `v1=` per signing secret; a receiver
accepts the request when any of them matches its secret."""

import hashlib
import hmac
import time

HEADER = "X-DSP-Signature"
DEFAULT_TOLERANCE = 300  # seconds a receiver should accept between `t` and its clock


def compute(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sign(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    return ",".join([f"t={timestamp}", *(f"v1={compute(s, timestamp, body)}" for s in secrets)])


def verify(*, secret: str, header: str, body: bytes, tolerance: int = DEFAULT_TOLERANCE, now: float | None = None
           ) -> bool:
    """What a receiver does (the README shows the same in a few lines)."""
    parts = [p.split("=", 1) for p in header.split(",") if "=" in p]
    timestamps = [v for k, v in parts if k.strip() == "t"]
    candidates = [v for k, v in parts if k.strip() == "v1"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = compute(secret, timestamp, body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
