"""The baseline: a bare Flask app, served by gunicorn exactly like the service."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello"
