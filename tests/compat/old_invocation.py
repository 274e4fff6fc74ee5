#!/usr/bin/env python3
"""Makes an async invocation that looks two hours old, for the compat suites' hour-window check.

Usage: old_invocation.py ENDPOINT DATA_DIR   (prints the request id)

The service lists the last hour unless `query_begin_time` says otherwise, also when looking an
invocation up by `request_id` (docs/service.md, "The hour window"). To check that against an emulator
without waiting an hour, this queues an `echo` run with the emulator's documented dev token, waits
for it to finish, then moves its times two hours back in the emulator's store (SQLite in WAL mode,
which another process may write while the emulator runs). Only for a local emulator: never point
it at the real service.
"""

import json
import sqlite3
import sys
import time
import urllib.request

PROJECT = "0123456789abcdef0123456789abcdef"
URN = f"urn:fss:cn-north-4:{PROJECT}:function:default:echo:latest"
TOKEN = {"X-Auth-Token": "dev-token", "Content-Type": "application/json"}
BACK_MS = 2 * 3600 * 1000


def call(method, url, body=None):
    req = urllib.request.Request(url, data=body, method=method, headers=TOKEN)
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.load(resp)


def main(endpoint, data_dir):
    base = f"{endpoint.rstrip('/')}/v2/{PROJECT}/fgs/functions/{URN}"
    rid = call("POST", f"{base}/invocations-async", b'{"old": true}')["request_id"]
    deadline = time.monotonic() + 30
    while True:
        page = call("GET", f"{base}/async-invocations?request_id={rid}")
        if any(i["status"] in ("SUCCESS", "FAIL", "DISCARD") for i in page["invocations"]):
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"old_invocation: {rid} did not finish")
        time.sleep(0.1)
    db = sqlite3.connect(f"{data_dir}/fgs.sqlite3", timeout=10)
    with db:
        db.execute(
            "UPDATE async_invocations SET created_ms = created_ms - ?1, start_ms = start_ms - ?1,"
            " end_ms = end_ms - ?1 WHERE request_id = ?2",
            (BACK_MS, rid),
        )
    db.close()
    print(rid)


if __name__ == "__main__":
    main(*sys.argv[1:3])
