"""One language at a time in what the user reads (issue #15): log lines are Japanese in Japanese QGIS and
English otherwise; both languages only in files that leave the machine (footnotes, run summaries).

Pure Python (no Qt): the language code comes from the caller (i18n_loader.output_language()).
"""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u30ff\u3000-\u303f\uff01-\uff0f\uff1a-\uff20]")  # kana, 。、「」（）：
_WORD = re.compile(r"[A-Za-z]{2,}")
# " / " (or "）/ ") between a Japanese and an English version of the same sentence
_SLASH = re.compile(r" ?/ ")


def pick(ja: str, en: str, lang: str) -> str:
    """``ja`` for Japanese, ``en`` for every other language."""
    return ja if lang == "ja" else en


def is_japanese(text: str) -> bool:
    """A Japanese sentence: it has kana or Japanese punctuation (names in kanji alone do not count)."""
    return bool(_KANA.search(text))


def is_english(text: str) -> bool:
    """An English sentence: Latin words and no kana or Japanese punctuation (a kanji name may appear)."""
    return not is_japanese(text) and bool(_WORD.search(text))


def one_language(text: str, lang: str) -> str:
    """The part of a bilingual message in ``lang``; any other message unchanged.

    Recognised: a block of Japanese lines followed by as many English lines ("ja\\nen"), and one line
    "Japanese / English". A message in one language only is returned as it is (nothing is ever dropped).
    """
    lines = text.split("\n")
    content = [line for line in lines if line.strip()]
    if len(content) >= 2 and len(content) % 2 == 0:
        half = len(content) // 2
        first, second = content[:half], content[half:]
        if all(is_japanese(x) for x in first) and all(is_english(x) for x in second):
            return "\n".join(first if lang == "ja" else second)
    if len(content) == 1:
        matches = list(_SLASH.finditer(content[0]))
        if len(matches) == 1:  # more than one "/" may be a ratio or a path: leave the line as it is
            left, right = content[0][: matches[0].start()], content[0][matches[0].end() :]
            if is_japanese(left) and is_english(right):
                return (left if lang == "ja" else right).strip()
    return text


def pair_lines(lines: list[str], lang: str) -> list[str]:
    """A log given as consecutive lines, a Japanese one then its English version: one of each pair;
    every other line as :func:`one_language` gives it."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and is_japanese(line) and is_english(nxt):
            out.append(pick(line, nxt, lang))
            i += 2
            continue
        out.append(one_language(line, lang))
        i += 1
    return out
