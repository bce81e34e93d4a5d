"""The per-vendor escapers on the cases the notifier test does not reach."""

from __future__ import annotations

import pytest

from pipeline.notify.escape import cjk_markdown, one_line, slack_mrkdwn, teams_markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb\tc", "a  b c"),
        ("ESC\x1b[31m NUL\x00 DEL\x7f", "ESC\\x1b[31m NUL\\x00 DEL\\x7f"),
        ("rtl\u202eevil\u2066 zw\u200b bom\ufeff", "rtl\\u202eevil\\u2066 zw\\u200b bom\\ufeff"),
        ("see HTTPS://evil.example and ftp://x", "see HTTPS:／／evil.example and ftp:／／x"),
        ("claims_report", "claims_report"),
    ],
)
def test_one_line_spells_out_control_characters_and_breaks_url_schemes(
    text: str, expected: str
) -> None:
    assert one_line(text) == expected


def test_slack_escapes_exactly_its_three_reserved_characters() -> None:
    assert slack_mrkdwn("R&D <!subteam^S1> a>b") == "R&amp;D &lt;!subteam^S1&gt; a&gt;b"


@pytest.mark.parametrize(
    ("text", "teams", "cjk"),
    [
        ("_em_ bj_claims_a", "\\_em\\_ bj_claims_a", "＿em＿ bj_claims_a"),
        ("- item", "\\- item", "－ item"),
        ("12. item", "12\\. item", "12． item"),
        (
            "# head `code` ~s~ a|b",
            "\\# head \\`code\\` \\~s\\~ a\\|b",
            "＃ head ｀code｀ ～s～ a｜b",
        ),
        ("![img](u) R&D", "!\\[img\\](u) R&amp;D", "!［img］(u) R＆D"),
    ],
)
def test_markdown_vendors_keep_markup_characters_inert(text: str, teams: str, cjk: str) -> None:
    assert (teams_markdown(text), cjk_markdown(text)) == (teams, cjk)
