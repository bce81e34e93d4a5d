"""Characters that must never reach a log line, a Redis key or a chat message raw.

"Unsafe" are the Unicode categories that change how text is shown rather than what it
says: control characters (Cc: NUL, ESC, CR, LF, TAB, DEL, C1), format characters (Cf:
the bidi overrides and isolates U+202A–U+202E / U+2066–U+2069, U+200E/U+200F, zero-width
spaces and joiners, U+FEFF), line/paragraph separators (Zl, Zp) and lone surrogates (Cs).
"""

from __future__ import annotations

import re
import unicodedata

UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Fast path: plain printable ASCII has nothing to escape.
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


def is_unsafe(char: str) -> bool:
    """True for a control, format, separator or surrogate character (see the module doc)."""
    return unicodedata.category(char) in UNSAFE_CATEGORIES


def first_unsafe(text: str) -> str | None:
    """The first unsafe character of `text`, or None."""
    if _PRINTABLE_ASCII.fullmatch(text):
        return None
    return next((c for c in text if is_unsafe(c)), None)


def code_point(char: str) -> str:
    """`U+202E`: how a reason names a character without containing it."""
    return f"U+{ord(char):04X}"


def escape_char(char: str) -> str:
    """`\\n`, `\\x1b`, `\\u202e`: a visible, inert spelling of one unsafe character."""
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    value = ord(char)
    if value <= 0xFF:
        return f"\\x{value:02x}"
    if value <= 0xFFFF:
        return f"\\u{value:04x}"
    return f"\\U{value:08x}"


def escape_unsafe(text: str, keep: str = "") -> str:
    """`text` with every unsafe character spelled as an escape (`keep`: left as is)."""
    if _PRINTABLE_ASCII.fullmatch(text):
        return text
    return "".join(escape_char(c) if c not in keep and is_unsafe(c) else c for c in text)
