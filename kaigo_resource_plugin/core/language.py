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


# Readable names of the resource types users load most (a layer named after its file: convenience_osaka)
_RESOURCE_WORDS: tuple[tuple[str, str, str], ...] = (
    ("convenience", "コンビニエンスストア", "Convenience stores"),
    ("supermarket", "スーパーマーケット", "Supermarkets"),
    ("department", "百貨店", "Department stores"),
    ("chemist", "ドラッグストア", "Drugstores"),
    ("pharmacy", "薬局", "Pharmacies"),
    ("library", "図書館", "Libraries"),
    ("post_office", "郵便局", "Post offices"),
    ("hospital", "病院", "Hospitals"),
    ("clinic", "診療所", "Clinics"),
    ("townhall", "役所", "Town halls"),
    ("community", "集会施設", "Community centres"),
    ("shop", "店舗", "Shops"),
)


def resource_type_label(name: str, lang: str) -> str:
    """A resource layer's name as a legend shows it: ``convenience_osaka`` → コンビニエンスストア (English:
    Convenience stores); a name that is not one of the usual types keeps its text, underscores as spaces."""
    low = name.lower()
    for word, ja, en in _RESOURCE_WORDS:
        if word in low:
            return ja if lang == "ja" else en
    return name.replace("_", " ").strip() or name
