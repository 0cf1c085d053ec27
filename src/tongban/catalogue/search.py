"""Search text for matters: English, Chinese, full pinyin and pinyin initials.

Each matter keeps one lower-case text holding its names in every form a person
may type, so a query is a few substring tests: 食品, "food", shipin, spjy.
"""

import re
from bisect import bisect_right
from typing import Protocol

from pypinyin import Style, lazy_pinyin

_HAN = re.compile(r"[\u3400-\u9fff]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


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


class _Department(Protocol):
    name_en: str
    name_zh: str
    short_name_zh: str


def matter_search_text(
    name: dict[str, str], result: dict | None, codes: str, department: _Department
) -> str:
    """Names in English, Chinese and pinyin, the result, the codes and the department."""
    result_name = (result or {}).get("name") or {"en": "", "zh": ""}
    return search_text(
        name["en"],
        result_name["en"],
        codes,
        department.name_en,
        department.name_zh,
        department.short_name_zh,
        chinese=(name["zh"], result_name["zh"]),
    )


def query_terms(query: str, limit: int = 8) -> list[str]:
    """The lower-case terms of a query; each must match. Wildcards are taken literally."""
    return [term for term in query.lower().split() if term][:limit]


class _Lines:
    """Texts as the lines of one string: finding a term is one scan in C."""

    def __init__(self, texts: list[str]):
        self.starts: list[int] = []
        offset = 0
        for text in texts:
            self.starts.append(offset)
            offset += len(text) + 1
        self.blob = "\n".join(texts)

    def rows_with(self, term: str) -> list[int]:
        rows, starts, find = [], self.starts, self.blob.find
        position = find(term)
        while position != -1:
            row = bisect_right(starts, position) - 1
            rows.append(row)
            if row + 1 == len(starts):
                break
            position = find(term, starts[row + 1])
        return rows

    def text(self, row: int) -> str:
        end = self.starts[row + 1] - 1 if row + 1 < len(self.starts) else len(self.blob)
        return self.blob[self.starts[row] : end]


class SearchIndex:
    """The matters of one catalogue version, searchable in memory.

    A published version never changes, so its index is built once and kept. ASCII
    terms (English, pinyin, codes) are looked up in the ASCII part of the texts, Chinese
    terms in the rest, so each scan stays small; a term mixing both ("café") reads the
    whole text. Matches whose name holds the whole query
    come first, then catalogue order.
    """

    def __init__(self, rows: list[tuple[int, str, str, str]]):
        """``rows``: (id, search text, English name, Chinese name) in catalogue order."""
        self._ids = [row[0] for row in rows]
        texts = [row[1].replace("\n", " ") for row in rows]
        self._ascii = _Lines([_NON_ASCII.sub(" ", text) for text in texts])
        self._wide = _Lines([" ".join(_NON_ASCII.findall(text)) for text in texts])
        self._full = _Lines(texts)
        self._names = [f"{row[2].lower()} | {row[3]}" for row in rows]

    def __len__(self) -> int:
        return len(self._ids)

    def _lines(self, term: str) -> _Lines:
        if term.isascii():
            return self._ascii
        return self._wide if _NON_ASCII.fullmatch(term) else self._full

    def search(self, terms: list[str]) -> list[int]:
        """Ids of the matters matching every term, best first."""
        if not terms:
            return list(self._ids)
        # The longest term is usually the rarest: find it, then narrow down.
        first, *rest = sorted(terms, key=len, reverse=True)
        hits = self._lines(first).rows_with(first)
        for term in rest:
            lines = self._lines(term)
            hits = [row for row in hits if term in lines.text(row)]
        phrase = " ".join(terms)
        by_name = [row for row in hits if phrase in self._names[row]]
        named = set(by_name)
        return [self._ids[r] for r in by_name] + [self._ids[r] for r in hits if r not in named]
