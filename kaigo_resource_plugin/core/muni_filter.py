"""Which municipalities a run is limited to (MUNI_CODES of kaigo:fullanalysis, the panel's filter).

Pure Python: from the tokens the user typed (codes or names, comma/、 separated) and the municipalities
present in the chōme layer, the 5-digit codes whose chōme are analysed. A designated city's code
(27100 大阪市) stands for all of its wards.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .codes import city_of_ward
from .committee import parse_highlight


def resolve_municipalities(
    text: str | None, present: Mapping[str, Iterable[str]]
) -> tuple[list[str], list[str]]:
    """(codes of ``present`` that the text names, tokens that name nothing).

    ``present``: municipality code (5 digits, as in the layer) → its names in the layer (e.g. 大東市,
    大阪市都島区). A token is a 5-digit code (a leading zero may be missing: 1100 = 01100), a designated
    city's code (its wards) or a name.
    """
    tokens = parse_highlight(text)
    chosen: list[str] = []
    unknown: list[str] = []
    for token in tokens:
        found: list[str] = []
        if token.isdigit() and len(token) <= 6:
            code = token[:5].zfill(5) if len(token) <= 5 else token[:5]  # 6 digits: with check digit
            found = [c for c in present if c == code or city_of_ward(c) == code]
        else:
            found = [c for c, names in present.items() if token in {n for n in names if n}]
            if not found:  # 都島区 for 大阪市都島区
                found = [c for c, names in present.items() if any(n and n.endswith(token) for n in names)]
        if not found:
            unknown.append(token)
        for code in sorted(found):
            if code not in chosen:
                chosen.append(code)
    return chosen, unknown
