"""Log lines that data cannot forge: control and bidi characters are spelled out.

An agent id with a newline could otherwise start a fake log line, ESC sequences could
recolour or erase a terminal, U+202E could reverse what a reader sees. `SafeFormatter`
escapes every unsafe character (see `schemas.text`) of the message as `\\n`, `\\x1b`,
`\\u202e`; a traceback keeps its line breaks but nothing else unsafe.
"""

from __future__ import annotations

import logging

from schemas.text import escape_unsafe

DEFAULT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class SafeFormatter(logging.Formatter):
    """A `logging.Formatter` whose output holds no raw control or bidi character."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging API
        return escape_unsafe(super().formatMessage(record))

    def formatException(self, ei: object) -> str:  # noqa: N802 - logging API
        return escape_unsafe(super().formatException(ei), keep="\n")  # type: ignore[arg-type]

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 - logging API
        return escape_unsafe(super().formatStack(stack_info), keep="\n")


def configure_logging(level: int = logging.INFO, fmt: str = DEFAULT_FORMAT) -> None:
    """`logging.basicConfig(level, fmt)` with a `SafeFormatter` on the root handler."""
    logging.basicConfig(level=level, format=fmt)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(SafeFormatter(fmt))
