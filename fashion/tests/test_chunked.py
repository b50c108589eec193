"""fashion.chunked: a chunked body is read whole and handed on with its length, or refused with a reason (the real
gunicorn reading one is in test_serving.py)."""

from __future__ import annotations

import io
import json
import socket
import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

from fashion.chunked import ChunkedBodies


def environ(body: bytes, *, path: str = "/api/v1/feedback/", terminated: bool = True, **extra) -> dict:
    env = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_TRANSFER_ENCODING": "chunked",
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
        **extra,
    }
    if terminated:
        env["wsgi.input_terminated"] = True
    return env


class Recorder:
    """An inner application that records what it was handed."""

    def __init__(self) -> None:
        self.seen: dict | None = None
        self.body = b""

    def __call__(self, env, start_response):
        self.seen = env
        self.body = env["wsgi.input"].read(int(env.get("CONTENT_LENGTH") or 0))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


def call(app, env) -> tuple[str, bytes]:
    answer = {}

    def start_response(status, headers):
        answer["status"] = status

    body = b"".join(app(env, start_response))
    return answer["status"], body


def test_a_chunked_body_is_handed_on_whole_with_its_length():
    inner = Recorder()
    status, _ = call(ChunkedBodies(inner, max_bytes=100), environ(b'{"vote": "like"}'))
    assert status == "200 OK"
    assert inner.body == b'{"vote": "like"}' and inner.seen["CONTENT_LENGTH"] == "16"
    assert "HTTP_TRANSFER_ENCODING" not in inner.seen


def test_a_body_with_a_length_is_left_alone():
    inner = Recorder()
    stream = io.BytesIO(b"abc")
    env = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "CONTENT_LENGTH": "3", "wsgi.input": stream}
    call(ChunkedBodies(inner, max_bytes=100), env)
    assert inner.seen is env and inner.body == b"abc"


@pytest.mark.parametrize("size, expected", [(100, "200 OK"), (101, "413 Content Too Large")])
def test_a_chunked_body_over_the_cap_is_refused_with_413(size, expected):
    inner = Recorder()
    status, body = call(ChunkedBodies(inner, max_bytes=100), environ(b"x" * size))
    assert status == expected
    if expected != "200 OK":
        assert inner.seen is None and json.loads(body)["code"] == "request_too_large"


def test_a_server_that_cannot_end_a_chunked_body_gets_411_with_the_reason():
    inner = Recorder()
    status, body = call(ChunkedBodies(inner, max_bytes=100), environ(b"{}", terminated=False))
    assert status == "411 Length Required" and inner.seen is None
    answer = json.loads(body)
    assert answer["code"] == "length_required" and "Content-Length" in answer["detail"]


def test_a_page_gets_a_short_page_not_json():
    status, body = call(ChunkedBodies(Recorder(), max_bytes=100), environ(b"{}", path="/recommend/", terminated=False))
    assert status == "411 Length Required" and body.startswith(b"<!doctype html>") and b"Content-Length" in body


def test_the_reason_is_in_the_requests_language():
    env = environ(b"{}", terminated=False, HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9")
    status, body = call(ChunkedBodies(Recorder(), max_bytes=100), env)
    assert status == "411 Length Required" and "Content-Length를 붙여 보내 주세요" in json.loads(body)["detail"]
    assert "보내 주세요".encode() in body  # UTF-8, not \u escapes: as the API's own (DRF's) answers are rendered


def test_djangos_development_server_closes_the_connection_after_a_411_instead_of_reading_the_body_as_a_request():
    """Over a real socket to Django's own development server (its request handler and server classes, as `make run`
    uses them): the unread chunks must not come back as a second, malformed request (a stray 400 page)."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(ChunkedBodies(Recorder(), max_bytes=100))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with socket.create_connection(server.server_address, timeout=10) as sock:
            sock.sendall(
                b"POST /api/v1/feedback/ HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n"
                b"Content-Type: application/json\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
            )
            answer = b""
            while chunk := sock.recv(65536):  # until the server closes; a kept-alive connection times out here
                answer += chunk
    finally:
        server.shutdown()
        server.server_close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411") and b"Connection: close" in head
    assert json.loads(body)["code"] == "length_required"
