"""Text from events or configuration made inert for each chat vendor's markup.

Agent ids, queue and team names, evidence values: anything that is not our own template
text goes through the escaper of the channel's vendor before it reaches a message, so it
arrives as plain text: no mention, no link, no formatting.

Every escaper first makes the text one line (CR, LF, tab and line separators become a
space; other control, bidi and zero-width characters are spelled as visible escapes such
as `\\u202e`) and breaks URL schemes (`https://` -> `https:／／`) so no client turns a
bare URL from data into a link. Then, per vendor:

- Slack (`mrkdwn` and the top-level `text`): `&`, `<`, `>` as `&amp;` `&lt;` `&gt;`, the
  only escapes Slack has; without `<` no `<!channel>`, `<@U…>` or `<url|text>` can form.
  Data inside blocks is sent as `plain_text` (no formatting is parsed there), escaped the
  same way.
- Teams (Adaptive Card markdown in TextBlock and FactSet): `&`, `<`, `>` as entities (no
  `<at>` mention form) and CommonMark backslash escapes for the markdown punctuation.
- WeCom, DingTalk, Feishu (markdown / lark_md, none documents an escape character): the
  markup characters become their full-width forms (`<` -> `＜`, `[` -> `［`, `@` -> `＠`,
  `*` -> `＊` …), which read the same to a person and mean nothing to the renderer; so
  `<@all>`, `@all`, `<at id=all></at>`, `[text](url)` and `**bold**` stay text.

Parentheses and `!` are left alone: without `[` and `]` they cannot make a link or an
image, and our own templates use them ("队列 理赔报案 (claims_report)").

An underscore inside a word (`claims_report`) cannot open or close emphasis and is kept;
only one at a word boundary is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from schemas.text import escape_char, is_unsafe

_LINE_BREAKS = frozenset("\r\n\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*)://")
# An underscore that is not between two word characters (it could open or close emphasis).
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")
_LIST_MARKER = re.compile(r"^(\s*)([-+]|\d+\.)(?=\s)")

_FULL_WIDTH = str.maketrans(
    {
        "<": "＜",
        ">": "＞",
        "[": "［",
        "]": "］",
        "*": "＊",
        "`": "｀",
        "#": "＃",
        "@": "＠",
        "~": "～",
        "|": "｜",
        "\\": "＼",
        "&": "＆",
    }
)
_FULL_WIDTH_MARKERS = str.maketrans({"-": "－", "+": "＋", ".": "．"})
_TEAMS_BACKSLASHED = frozenset("\\*[]`#~|{}")


def one_line(text: str) -> str:
    """`text` on one line with unsafe characters spelled out and URL schemes broken."""
    out = []
    for char in text:
        if char in _LINE_BREAKS:
            out.append(" ")
        elif is_unsafe(char):
            out.append(escape_char(char))
        else:
            out.append(char)
    return _SCHEME.sub(r"\1:／／", "".join(out))


def slack_mrkdwn(text: str) -> str:
    """Text for a Slack `mrkdwn` object or the message's top-level `text`."""
    return one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def teams_markdown(text: str) -> str:
    """Text for an Adaptive Card TextBlock or Fact (Teams' markdown subset)."""
    flat = one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = "".join(f"\\{c}" if c in _TEAMS_BACKSLASHED else c for c in flat)
    escaped = _EDGE_UNDERSCORE.sub(r"\\_", escaped)
    return _LIST_MARKER.sub(_teams_marker, escaped)


def _teams_marker(match: re.Match[str]) -> str:
    marker = match[2]
    return match[1] + (f"\\{marker}" if marker in "-+" else f"{marker[:-1]}\\.")


def cjk_markdown(text: str) -> str:
    """Text for WeCom / DingTalk markdown and Feishu lark_md (full-width markup)."""
    flat = one_line(text).translate(_FULL_WIDTH)
    flat = _EDGE_UNDERSCORE.sub("＿", flat)
    return _LIST_MARKER.sub(lambda m: m[1] + m[2].translate(_FULL_WIDTH_MARKERS), flat)


ESCAPERS: dict[str, Callable[[str], str]] = {
    "slack": slack_mrkdwn,
    "teams": teams_markdown,
    "wecom": cjk_markdown,
    "dingtalk": cjk_markdown,
    "feishu": cjk_markdown,
}
