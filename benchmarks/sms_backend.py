"""The SMS provider's far side for the reminders benchmark: it takes each SMS at once and
appends its reference to a file of its own per worker process (line-buffered, so a worker
killed with SIGKILL has written all it handed over). Nothing stays in memory."""

import os
import uuid
from pathlib import Path

from notifications.sms import BaseSmsBackend, SendResult

_handle = None


def _file():
    global _handle
    if _handle is None:
        folder = Path(os.environ["BENCH_SMS_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        _handle = (folder / f"{os.getpid()}.txt").open("a", buffering=1)
    return _handle


class SmsBackend(BaseSmsBackend):
    name = "bench"

    def send(self, *, to, body, reference, sender="", status_callback=""):
        _file().write(f"{reference}\n")
        return SendResult(provider_id=f"bench-{uuid.uuid4().hex}", status="sent")
