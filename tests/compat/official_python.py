#!/usr/bin/env python3
"""Compatibility check: the official Huawei Cloud Python SDK against a running FunctionGraph emulator.

Configuration (environment):
  FGS_ENDPOINT    emulator base URL, e.g. http://127.0.0.1:PORT (required)
  FGS_PROJECT_ID  project id  (default 0123456789abcdef0123456789abcdef)
  FGS_REGION      region      (default cn-north-4)
  FGS_AK, FGS_SK  access key / secret key (default: the emulator's development pair)
  FGS_COMPAT_EXTENDED=1  also run the cancel / active-async-invocations checks

Prints one line per check (`ok - name` / `not ok - name: reason`), then `N passed, M failed`;
exits 1 if any check failed. Never prints the AK, the SK or any Authorization header.
Requires huaweicloudsdkfunctiongraph (tests/compat/requirements.txt). See SDK-NOTES.md for why
each assertion is what it is.
"""

import base64
import datetime
import json
import logging
import os
import sys
import time
import uuid

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions as sdk_exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkfunctiongraph.v2 import (
    AsyncInvokeFunctionRequest,
    CancelAsyncInvocationRequest,
    CancelAsyncInvocationRequestBody,
    FunctionGraphClient,
    InvokeFunctionRequest,
    ListActiveAsyncInvocationsRequest,
    ListAsyncInvocationsRequest,
)

LANG = "python"
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30
POLL_BUDGET_S = 10.0
POLL_INTERVAL_S = 0.25


class CheckFailed(Exception):
    """A check's assertion did not hold; the message is the reason printed after `not ok`."""


def expect(condition, reason):
    if not condition:
        raise CheckFailed(reason)


class Config:
    def __init__(self, env):
        self.endpoint = env.get("FGS_ENDPOINT", "").rstrip("/")
        self.project_id = env.get("FGS_PROJECT_ID", "0123456789abcdef0123456789abcdef")
        self.region = env.get("FGS_REGION", "cn-north-4")
        self.ak = env.get("FGS_AK", "DEVACCESSKEYEXAMPLE0")
        self.sk = env.get("FGS_SK", "dev-secret-key-example")
        self.extended = env.get("FGS_COMPAT_EXTENDED") == "1"

    def urn(self, name):
        return f"urn:fss:{self.region}:{self.project_id}:function:default:{name}:latest"


def build_client(cfg, sk):
    # The SDK logs connection errors through a handler-less logger (Python's last-resort stderr handler).
    logging.getLogger(f"HuaweiCloud-SDK-{FunctionGraphClient.__name__}").addHandler(logging.NullHandler())
    http_config = HttpConfig.get_default_config()
    http_config.timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    credentials = BasicCredentials(cfg.ak, sk, cfg.project_id)
    return (
        FunctionGraphClient.new_builder()
        .with_http_config(http_config)
        .with_credentials(credentials)
        .with_endpoint(cfg.endpoint)
        .build()
    )


def describe_service_error(e):
    return f"{type(e).__name__} status={e.status_code} error_code={e.error_code} error_msg={e.error_msg!r}"


class Harness:
    def __init__(self, cfg):
        self.cfg = cfg
        self.client = build_client(cfg, cfg.sk)
        self.passed = 0
        self.failed = 0
        self.async_request_id = None

    def run(self, name, fn):
        try:
            note = fn()
        except CheckFailed as e:
            self._fail(name, str(e))
        except sdk_exceptions.ServiceResponseException as e:
            self._fail(name, "unexpected " + describe_service_error(e))
        except Exception as e:  # network errors, SDK parse errors: report, keep going
            self._fail(name, f"unexpected {type(e).__name__}: {e}")
        else:
            self.passed += 1
            print(f"ok - {name}" + (f" ({note})" if note else ""), flush=True)

    def skip(self, name, reason):
        print(f"# skip - {name}: {reason}", flush=True)

    def _fail(self, name, reason):
        self.failed += 1
        print(f"not ok - {name}: {reason}", flush=True)

    # a) sync invoke of `echo`, log tail
    def invoke_echo(self):
        event = {"hello": f"official-sdk-{LANG}", "n": 1}
        r = self.client.invoke_function(
            InvokeFunctionRequest(function_urn=self.cfg.urn("echo"), x_cff_log_type="tail", body=event)
        )
        expect(r.status_code == 200, f"HTTP status {r.status_code}, expected 200")
        expect(r.status == 200, f"body status {r.status!r}, expected 200")
        expect(isinstance(r.request_id, str) and r.request_id, f"request_id {r.request_id!r} is empty")
        expect(isinstance(r.result, str), f"result {r.result!r} is not a string")
        try:
            result = json.loads(r.result)
        except ValueError:
            raise CheckFailed(f"result is not JSON: {r.result[:200]!r}")
        expect(result == event, f"result {result!r} != event {event!r}")
        expect(isinstance(r.log, str) and r.log, f"log {r.log!r} is empty despite X-Cff-Log-Type: tail")
        return f"request_id={r.request_id} X-Cff-Request-Id={r.x_cff_request_id}"

    # b) sync invoke of `hello`: an HTTP-style function result
    def invoke_hello(self):
        r = self.client.invoke_function(
            InvokeFunctionRequest(function_urn=self.cfg.urn("hello"), body={"name": f"official-sdk-{LANG}"})
        )
        expect(r.status_code == 200, f"HTTP status {r.status_code}, expected 200")
        expect(isinstance(r.result, str), f"result {r.result!r} is not a string")
        try:
            result = json.loads(r.result)
        except ValueError:
            raise CheckFailed(f"result is not JSON: {r.result[:200]!r}")
        expect(isinstance(result, dict), f"result {result!r} is not an object")
        expect(result.get("statusCode") == 200, f"statusCode {result.get('statusCode')!r}, expected 200")
        body = result.get("body")
        if result.get("isBase64Encoded") and isinstance(body, str):
            body = base64.b64decode(body).decode("utf-8", "replace")
        expect(isinstance(body, str) and "hello" in body.lower(), f"body {body!r} does not contain 'hello'")

    # c) async invoke of `echo`
    def async_invoke(self):
        r = self.client.async_invoke_function(
            AsyncInvokeFunctionRequest(function_urn=self.cfg.urn("echo"), body={"hello": f"official-sdk-{LANG}-async", "n": 2})
        )
        expect(r.status_code == 202, f"HTTP status {r.status_code}, expected 202")
        expect(isinstance(r.request_id, str) and r.request_id, f"request_id {r.request_id!r} is empty")
        self.async_request_id = r.request_id
        return f"request_id={r.request_id}"

    # d) list async invocations filtered by that request id, until SUCCESS
    def list_async(self):
        rid = self.async_request_id
        expect(rid, "no request_id from the async invoke check")
        deadline = time.monotonic() + POLL_BUDGET_S
        seen = None
        while True:
            r = self.client.list_async_invocations(
                ListAsyncInvocationsRequest(function_urn=self.cfg.urn("echo"), request_id=rid, limit="10")
            )
            expect(r.status_code == 200, f"HTTP status {r.status_code}, expected 200")
            records = [i for i in (r.invocations or []) if i.request_id == rid]
            if records:
                seen = records[0]
                if seen.status == "SUCCESS":
                    break
                expect(seen.status in ("WAIT", "RUNNING"), f"status {seen.status!r} (error {seen.error_code} {seen.error_message!r})")
            if time.monotonic() >= deadline:
                raise CheckFailed(
                    f"no SUCCESS within {POLL_BUDGET_S:.0f}s; last record: "
                    + (f"status={seen.status!r}" if seen else "none with that request_id")
                )
            time.sleep(POLL_INTERVAL_S)
        expect(isinstance(r.count, int) and r.count >= 1, f"count {r.count!r}, expected >= 1")
        expect(seen.request_id and seen.status and seen.start_time, f"missing fields in {seen}")
        return f"count={r.count} next_marker={r.next_marker!r} start_time={seen.start_time} end_time={seen.end_time}"

    # d2) list with datetime window values: the SDK sends them with isoformat()
    # (fractional seconds, +00:00 when aware), which the emulator must accept.
    def list_with_datetime_window(self):
        rid = self.async_request_id
        expect(rid, "no request_id from the async invoke check")
        now = datetime.datetime.now(datetime.timezone.utc)
        r = self.client.list_async_invocations(
            ListAsyncInvocationsRequest(
                function_urn=self.cfg.urn("echo"),
                query_begin_time=(now - datetime.timedelta(minutes=10)).replace(tzinfo=None),
                query_end_time=now + datetime.timedelta(minutes=1),
            )
        )
        expect(r.status_code == 200, f"HTTP status {r.status_code}, expected 200")
        ids = [i.request_id for i in (r.invocations or [])]
        expect(rid in ids, f"{rid} not in the window listing {ids}")
        return f"count={r.count}"

    # e) unknown function
    def missing_function(self):
        try:
            self.client.invoke_function(
                InvokeFunctionRequest(function_urn=self.cfg.urn("no-such-function"), body={"n": 1})
            )
        except sdk_exceptions.ClientRequestException as e:
            expect(e.status_code == 404, "expected status 404, got " + describe_service_error(e))
            expect(isinstance(e.error_code, str) and e.error_code.startswith("FSS."),
                   "expected an FSS.* error_code, got " + describe_service_error(e))
            return f"{e.status_code} {e.error_code}"
        raise CheckFailed("the invoke succeeded; expected ClientRequestException 404")

    # f) wrong secret key, right access key
    def tampered_signature(self):
        bad_client = build_client(self.cfg, self.cfg.sk + "-tampered")
        try:
            bad_client.invoke_function(
                InvokeFunctionRequest(function_urn=self.cfg.urn("echo"), body={"n": 1})
            )
        except sdk_exceptions.ClientRequestException as e:
            expect(e.status_code in (401, 403), "expected status 401 or 403, got " + describe_service_error(e))
            return f"emulator answered {e.status_code} {e.error_code}"
        raise CheckFailed("a request signed with the wrong secret key was accepted")

    # g) extended: cancel an async invocation (a 2 s sleep, so it is still active)
    def cancel_async(self):
        a = self.client.async_invoke_function(
            AsyncInvokeFunctionRequest(function_urn=self.cfg.urn("sleep"), body={"ms": 2000, "cancel": str(uuid.uuid4())})
        )
        expect(a.request_id, "async invoke returned no request_id")
        r = self.client.cancel_async_invocation(
            CancelAsyncInvocationRequest(
                function_urn=self.cfg.urn("sleep"),
                body=CancelAsyncInvocationRequestBody(request_id=a.request_id, type="force"),
            )
        )
        expect(200 <= r.status_code < 300, f"HTTP status {r.status_code}, expected 2xx")
        listed = self.client.list_async_invocations(
            ListAsyncInvocationsRequest(function_urn=self.cfg.urn("sleep"), request_id=a.request_id)
        )
        records = [i for i in (listed.invocations or []) if i.request_id == a.request_id]
        expect(records and records[0].status == "DISCARD", f"status after cancel {records[0].status if records else None}, expected DISCARD")
        return f"HTTP {r.status_code}, then {records[0].status}"

    # g) extended: active async invocations
    def active_async(self):
        a = self.client.async_invoke_function(
            AsyncInvokeFunctionRequest(function_urn=self.cfg.urn("sleep"), body={"ms": 1500, "active": str(uuid.uuid4())})
        )
        expect(a.request_id, "async invoke returned no request_id")
        r = self.client.list_active_async_invocations(
            ListActiveAsyncInvocationsRequest(function_urn=self.cfg.urn("sleep"), requests=a.request_id, limit="10")
        )
        expect(r.status_code == 200, f"HTTP status {r.status_code}, expected 200")
        expect(isinstance(r.invocations, list), f"invocations {r.invocations!r} is not a list")
        expect(isinstance(r.count, int), f"count {r.count!r} is not an integer")
        for i in r.invocations:
            expect(i.request_id and i.status, f"record without request_id/status: {i}")
        ids = [i.request_id for i in r.invocations]
        expect(a.request_id in ids, f"the running invocation {a.request_id} is not listed as active: {ids}")
        return f"count={r.count} records={len(r.invocations)}"


def main():
    cfg = Config(os.environ)
    if not cfg.endpoint:
        print("not ok - configuration: FGS_ENDPOINT is not set")
        print("0 passed, 1 failed")
        return 1
    h = Harness(cfg)
    h.run("sync invoke echo (log tail)", h.invoke_echo)
    h.run("sync invoke hello", h.invoke_hello)
    h.run("async invoke echo", h.async_invoke)
    h.run("list async invocations until SUCCESS", h.list_async)
    h.run("list async invocations with a datetime window", h.list_with_datetime_window)
    h.run("invoke missing function -> 404 FSS.*", h.missing_function)
    h.run("wrong secret key refused", h.tampered_signature)
    if cfg.extended:
        h.run("cancel async invocation", h.cancel_async)
        h.run("list active async invocations", h.active_async)
    else:
        h.skip("cancel async invocation", "set FGS_COMPAT_EXTENDED=1")
        h.skip("list active async invocations", "set FGS_COMPAT_EXTENDED=1")
    print(f"{h.passed} passed, {h.failed} failed", flush=True)
    return 1 if h.failed else 0


if __name__ == "__main__":
    sys.exit(main())
