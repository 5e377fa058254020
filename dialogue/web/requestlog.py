"""The development server writes no request log: a line per request ties an address to a time.

``dialogue run`` (``make run``) serves with Werkzeug, which logs every request with the
client's address and the second it arrived. Matched against a submission's stored time, that
line would say who sent it. So request lines are dropped; errors (a malformed request, an
exception) are still logged. gunicorn writes no access log unless it is told to, and a proxy
in front must not log submission requests with addresses either (README.md, "Privacy in logs").
"""

from __future__ import annotations

import logging
import re

# Werkzeug's request lines: '127.0.0.1 - - [05/Dec/2026 21:40:01] "POST /x/submit HTTP/1.1" 200 -'
_REQUEST_LINE = re.compile(r'^\S+ - - \[[^\]]*\] "')
WERKZEUG_LOGGER = "werkzeug"


class RequestLineFilter(logging.Filter):
    """Drops the development server's request lines; keeps warnings and errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        return not _REQUEST_LINE.match(record.getMessage())


def silence_request_log() -> None:
    """Install the filter on Werkzeug's logger (once, however many apps are built)."""
    logger = logging.getLogger(WERKZEUG_LOGGER)
    if not any(isinstance(existing, RequestLineFilter) for existing in logger.filters):
        logger.addFilter(RequestLineFilter())
