#!/usr/bin/env python3
"""Compatibility check: the official Huawei Cloud Python SDK against a running FunctionGraph emulator.

Configuration (environment):
  FGS_ENDPOINT    emulator base URL, e.g. http://127.0.0.1:PORT (required)
  FGS_PROJECT_ID  project id  (default 0123456789abcdef0123456789abcdef)
  FGS_REGION      region      (default cn-north-4)
  FGS_AK, FGS_SK  access key / secret key (default: the emulator's development pair)
  FGS_COMPAT_EXTENDED=1  also run the cancel / active-async-invocations checks
  FGS_OLD_REQUEST_ID     an echo invocation accepted over an hour ago (scripts/compat.sh makes one
                         with old_invocation.py): check it is found only with a begin time

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
from huaweicloudsdkcore.http.http_handler import HttpHandler
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
PAGED_RECORDS = 260
PAGE_LIMIT = 100


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
        self.old_request_id = env.get("FGS_OLD_REQUEST_ID") or None

    def urn(self, name):
        return f"urn:fss:{self.region}:{self.project_id}:function:default:{name}:latest"


def token_instead_of_signature(token):
    """A request hook: drop the SDK's AK/SK signature and send `token` (None: no credentials)."""

    def handler(request=None, **_):
        request.header_params.pop("Authorization", None)
        if token is not None:
            request.header_params["X-Auth-Token"] = token

    return handler


def build_client(cfg, sk, request_hook=None):
    # The SDK logs connection errors through a handler-less logger (Python's last-resort stderr handler).
    logging.getLogger(f"HuaweiCloud-SDK-{FunctionGraphClient.__name__}").addHandler(logging.NullHandler())
    http_config = HttpConfig.get_default_config()
    http_config.timeout = (CONNECT_TIMEOUT_S, READ_TIMEOUT_S)
    credentials = BasicCredentials(cfg.ak, sk, cfg.project_id)
    builder = (
        FunctionGraphClient.new_builder()
        .with_http_config(http_config)
        .with_credentials(credentials)
        .with_endpoint(cfg.endpoint)
    )
    if request_hook:
        handler = HttpHandler()
        handler.add_request_handler(request_hook)
        builder = builder.with_http_handler(handler)
    return builder.build()


def utc_text(dt):
    """`YYYY-MM-DDTHH:mm:ss`, the documented form (a datetime would be sent with isoformat())."""
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def expect_refusal(call, status, code, msg=None):
    """Runs `call`, which must fail with exactly `status` and `code` (and `msg` if given)."""
    try:
        call()
    except sdk_exceptions.ClientRequestException as e:
        expect((e.status_code, e.error_code) == (status, code),
               f"expected {status} {code}, got " + describe_service_error(e))
        expect(msg is None or e.error_msg == msg, f"expected error_msg {msg!r}, got " + describe_service_error(e))
        return e
    raise CheckFailed(f"the call succeeded; expected {status} {code}")


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

    # e) unknown function: 404 FSS.0404 on every operation, worded as each API page words it
    def missing_function(self):
        urn = self.cfg.urn("no-such-function")
        calls = [
            ("invoke", "function 'no-such-function' not exist",
             lambda: self.client.invoke_function(InvokeFunctionRequest(function_urn=urn, body={"n": 1}))),
            ("async invoke", "function 'no-such-function' not exist",
             lambda: self.client.async_invoke_function(AsyncInvokeFunctionRequest(function_urn=urn, body={"n": 1}))),
            ("list", "can not find function",
             lambda: self.client.list_async_invocations(ListAsyncInvocationsRequest(function_urn=urn))),
            ("list active", "can not find function",
             lambda: self.client.list_active_async_invocations(ListActiveAsyncInvocationsRequest(function_urn=urn))),
            ("cancel", "can not find function",
             lambda: self.client.cancel_async_invocation(CancelAsyncInvocationRequest(
                 function_urn=urn, body=CancelAsyncInvocationRequestBody(request_id=str(uuid.uuid4()))))),
        ]
        for name, msg, call in calls:
            try:
                expect_refusal(call, 404, "FSS.0404", msg)
            except CheckFailed as e:
                raise CheckFailed(f"{name}: {e}")
        return f"{len(calls)} operations: 404 FSS.0404"

    # f) wrong secret key, right access key: the API gateway refuses the signature
    def tampered_signature(self):
        bad_client = build_client(self.cfg, self.cfg.sk + "-tampered")
        e = expect_refusal(
            lambda: bad_client.invoke_function(InvokeFunctionRequest(function_urn=self.cfg.urn("echo"), body={"n": 1})),
            401, "APIGW.0301")
        expect(e.error_msg.startswith("Incorrect IAM authentication information"), describe_service_error(e))
        expect(e.request_id, "no request id with the gateway's refusal")
        return f"{e.status_code} {e.error_code}"

    # f2) a token the gateway cannot read, and no credentials at all
    def bad_token(self):
        for token, detail in [("not-a-token", "decrypt token fail"), (None, "x-auth-token not found")]:
            client = build_client(self.cfg, self.cfg.sk, token_instead_of_signature(token))
            e = expect_refusal(
                lambda: client.invoke_function(InvokeFunctionRequest(function_urn=self.cfg.urn("echo"), body={"n": 1})),
                401, "APIGW.0301", f"Incorrect IAM authentication information: {detail}")
            expect(e.request_id, "no request id with the gateway's refusal")
        return "401 APIGW.0301 for both"

    # h) offset paging: marker is a start position, next_marker the next page's, 0 after the last
    def offset_paging(self):
        urn = self.cfg.urn("echo")
        begin = utc_text(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=2))
        mine = set()
        for n in range(PAGED_RECORDS):
            r = self.client.async_invoke_function(AsyncInvokeFunctionRequest(function_urn=urn, body={"page": n}))
            mine.add(r.request_id)
        listed, markers, marker, count = [], [], 0, None
        while True:
            r = self.client.list_async_invocations(ListAsyncInvocationsRequest(
                function_urn=urn, marker=str(marker), limit=str(PAGE_LIMIT), query_begin_time=begin))
            expect(r.status_code == 200, f"HTTP status {r.status_code}")
            expect(isinstance(r.count, int) and isinstance(r.next_marker, int),
                   f"count {r.count!r} and next_marker {r.next_marker!r} must be integers")
            expect(count in (None, r.count), f"count changed from {count} to {r.count}")
            count = r.count
            listed += [i.request_id for i in r.invocations]
            expect(r.next_marker == (0 if len(listed) >= count else len(listed)),
                   f"next_marker {r.next_marker} after {len(listed)} of {count} records")
            markers.append(r.next_marker)
            if r.next_marker == 0:
                break
            marker = r.next_marker
        expect(count >= PAGED_RECORDS and len(listed) == count, f"listed {len(listed)} of count {count}")
        expect(len(set(listed)) == len(listed), "a record was listed twice")
        expect(mine <= set(listed), f"{len(mine - set(listed))} of the {PAGED_RECORDS} records were not listed")
        return f"count={count} next_markers={markers}"

    # i) the hour window applies to lookups by request id too
    def old_invocation(self):
        rid = self.cfg.old_request_id
        urn = self.cfg.urn("echo")
        r = self.client.list_async_invocations(ListAsyncInvocationsRequest(function_urn=urn, request_id=rid))
        expect(r.status_code == 200 and r.count == 0 and not r.invocations,
               f"found without a begin time: count={r.count} invocations={len(r.invocations or [])}")
        begin = utc_text(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=3))
        r = self.client.list_async_invocations(
            ListAsyncInvocationsRequest(function_urn=urn, request_id=rid, query_begin_time=begin))
        ids = [i.request_id for i in (r.invocations or [])]
        expect(r.count == 1 and ids == [rid], f"not found with query_begin_time={begin}: {ids}")
        return f"found only with query_begin_time={begin}"

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
        expect(r.status_code == 200, f"HTTP status {r.status_code}, expected 200")
        listed = self.client.list_async_invocations(
            ListAsyncInvocationsRequest(function_urn=self.cfg.urn("sleep"), request_id=a.request_id)
        )
        records = [i for i in (listed.invocations or []) if i.request_id == a.request_id]
        expect(records, "the cancelled invocation is not listed")
        rec = records[0]
        expect((rec.status, rec.error_code, rec.error_message) == ("DISCARD", 4208, "function invocation canceled"),
               f"after cancel: {rec.status} {rec.error_code} {rec.error_message!r}, expected DISCARD 4208")
        return f"HTTP {r.status_code}, then {rec.status} {rec.error_code}"

    # g) extended: cancel of an id the function never had
    def cancel_unknown(self):
        for rid in [str(uuid.uuid4()), "x" * 65]:
            expect_refusal(
                lambda: self.client.cancel_async_invocation(CancelAsyncInvocationRequest(
                    function_urn=self.cfg.urn("sleep"), body=CancelAsyncInvocationRequestBody(request_id=rid))),
                400, "FSS.0400", "Invalid RequestId")
        return "400 FSS.0400 Invalid RequestId"

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
    h.run("unknown function -> 404 FSS.0404 on every operation", h.missing_function)
    h.run("wrong secret key -> 401 APIGW.0301", h.tampered_signature)
    h.run("bad or missing token -> 401 APIGW.0301", h.bad_token)
    h.run(f"offset paging over {PAGED_RECORDS} records, limit {PAGE_LIMIT}", h.offset_paging)
    if cfg.old_request_id:
        h.run("an invocation over an hour old is found only with a begin time", h.old_invocation)
    else:
        h.skip("an invocation over an hour old", "set FGS_OLD_REQUEST_ID")
    if cfg.extended:
        h.run("cancel async invocation -> DISCARD 4208", h.cancel_async)
        h.run("cancel unknown request id -> 400 FSS.0400", h.cancel_unknown)
        h.run("list active async invocations", h.active_async)
    else:
        for name in ["cancel async invocation", "cancel unknown request id", "list active async invocations"]:
            h.skip(name, "set FGS_COMPAT_EXTENDED=1")
    print(f"{h.passed} passed, {h.failed} failed", flush=True)
    return 1 if h.failed else 0


if __name__ == "__main__":
    sys.exit(main())
