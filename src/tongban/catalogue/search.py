"""Search text for matters: English, Chinese, full pinyin and pinyin initials.

Each matter keeps one lower-case text holding its names in every form a person
may type, so a query is a few substring tests: 食品, "food", shipin, spjy.
"""

import re

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]+")


def pinyin_forms(chinese: str) -> tuple[str, str]:
    """(full pinyin, initials) of the Chinese characters in ``chinese``, unspaced."""
    runs = _HAN.findall(chinese)
    full = " ".join("".join(lazy_pinyin(run)) for run in runs)
    initials = " ".join("".join(lazy_pinyin(run, style=Style.FIRST_LETTER)) for run in runs)
    return full, initials


def search_text(*texts: str, chinese: tuple[str, ...] = ()) -> str:
    """The text a matter is found by; ``chinese`` names also give their pinyin."""
    parts = [t for t in texts if t] + [t for t in chinese if t]
    for name in chinese:
        parts.extend(pinyin_forms(name))
    return " | ".join(parts).lower()


def query_terms(query: str, limit: int = 8) -> list[str]:
    """The lower-case terms of a query; each must match. Wildcards are taken literally."""
    return [term for term in query.lower().split() if term][:limit]
