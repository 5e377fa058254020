"""The development server logs no request lines (address and time), only errors."""

from __future__ import annotations

import http.client
import logging
import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from dialogue.models import Municipality


@pytest.fixture
def dev_server(app: Flask, demo: Municipality) -> Iterator[BaseWSGIServer]:
    """Werkzeug's server as ``dialogue run`` uses it, on a free port."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def _status(server: BaseWSGIServer, method: str, path: str, body: bytes | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
    try:
        connection.request(method, path, body=body)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_submissions_and_page_views_leave_no_request_line(
    dev_server: BaseWSGIServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    assert _status(dev_server, "GET", "/falkoping/submit") == 200
    # Without its tokens the form is refused, but the request was served all the same.
    assert _status(dev_server, "POST", "/falkoping/submit", b"text=hej") >= 400
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert not [line for line in lines if "127.0.0.1" in line or "/submit" in line]


def test_errors_of_the_development_server_are_still_logged(
    dev_server: BaseWSGIServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="werkzeug")
    with socket.create_connection(("127.0.0.1", dev_server.server_port)) as connection:
        connection.sendall(b"NONSENSE\r\n\r\n")
        connection.recv(1024)
    errors = [r for r in caplog.records if r.name == "werkzeug" and r.levelno >= logging.ERROR]
    assert any("Bad request" in record.getMessage() for record in errors)
