"""Log lines hold no raw control or bidi character, whatever the data logged."""

from __future__ import annotations

import io
import logging

from pipeline.logsafe import SafeFormatter


def _logger(stream: io.StringIO) -> logging.Logger:
    logger = logging.getLogger("tests.logsafe")
    logger.handlers.clear()
    logger.propagate = False
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(message)s"))
    logger.addHandler(handler)
    return logger


def test_control_characters_in_logged_data_are_spelled_out() -> None:
    stream = io.StringIO()
    agent = "a1\nINFO forged line\r\x00\x1b[2J\u202eevil\u2066"
    _logger(stream).warning("agent %s refused", agent)
    assert stream.getvalue() == (
        "WARNING agent a1\\nINFO forged line\\r\\x00\\x1b[2J\\u202eevil\\u2066 refused\n"
    )


def test_traceback_keeps_its_lines_but_escapes_the_rest() -> None:
    stream = io.StringIO()
    try:
        raise ValueError("bad id a\u202e1\x1b")
    except ValueError:
        _logger(stream).exception("failed")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "ERROR failed"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: bad id a\\u202e1\\x1b"
