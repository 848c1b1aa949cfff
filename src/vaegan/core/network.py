"""The one network check: every download in the package asks here first.

A check that can hang is worse than none (a resolver that never answers would freeze a
notebook), so the connection attempt runs in a daemon thread with a time bound, and the
offline switches answer without trying.
"""

from __future__ import annotations

import os
import socket
import threading

__all__ = ["OFFLINE_VARIABLE", "network_available"]

OFFLINE_VARIABLE = "VAEGAN_OFFLINE"


def network_available(host: str = "huggingface.co", port: int = 443, timeout: float = 3.0) -> bool:
    """True if a TCP connection to ``host`` opens within ``timeout`` seconds.

    Name resolution runs in a daemon thread so that a resolver that never
    answers cannot hang the caller.  ``VAEGAN_OFFLINE=1`` (or Hugging Face's
    ``HF_DATASETS_OFFLINE=1``) answers False without trying.
    """
    for variable in (OFFLINE_VARIABLE, "HF_DATASETS_OFFLINE", "HF_HUB_OFFLINE"):
        if os.environ.get(variable, "").strip().lower() in {"1", "true", "yes"}:
            return False
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    return bool(result and result[0])


