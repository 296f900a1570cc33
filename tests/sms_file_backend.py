"""An SMS backend for tests that start a real worker process: it writes what it sends to a
file (the test reads it), and fails the first try of every message as a timeout would
(unless BUDDY_TEST_SMS_FAIL_FIRST=0)."""

import fcntl
import os
from pathlib import Path

from notifications.sms import BaseSmsBackend, SendResult, SmsError


class SmsBackend(BaseSmsBackend):
    name = "file"

    def send(self, *, to, body, reference, sender="", status_callback=""):
        sent = Path(os.environ["BUDDY_TEST_SMS_FILE"])
        if os.environ.get("BUDDY_TEST_SMS_FAIL_FIRST", "1") != "1":  # every try succeeds
            with sent.open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(f"{reference}\n")
            return SendResult(provider_id=f"file-{reference}", status="sent")
        tries = sent.with_suffix(".tries")
        with tries.open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(f"{reference}\n")
            handle.flush()
            handle.seek(0)
            count = handle.read().split().count(reference)
        if count == 1:
            raise SmsError("timeout on the first try", permanent=False)
        with sent.open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(f"{reference}\n")
        return SendResult(provider_id=f"file-{reference}-{count}", status="sent")
