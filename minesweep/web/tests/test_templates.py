"""Templates keep one language at a time: punctuation after a translated label is translated with it."""

from __future__ import annotations

import re
from pathlib import Path

import minesweep

TEMPLATES = sorted(Path(minesweep.__file__).parent.rglob("templates/**/*.html"))
# A {% t "中文" "English" %} tag with a colon written after it, outside both languages: a full-width
# colon then shows on English pages ("Next step："), an ASCII one on Chinese pages ("错误代码: ").
COLON_AFTER_LABEL = re.compile(r'\{% t "[^"]*" "[^"]*" %\}\s?[:：]')


def test_templates_are_found():
    assert len(TEMPLATES) > 50


def test_no_colon_is_left_outside_a_translated_label():
    found = [
        f"{path.relative_to(Path(minesweep.__file__).parent)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if COLON_AFTER_LABEL.search(line)
    ]
    assert found == []
