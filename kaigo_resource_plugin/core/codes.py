"""Japanese municipality codes: KEY_CODE → municipality, and designated-city wards → their city."""

from __future__ import annotations

# 政令指定都市 (designated cities): 5-digit code without check digit → name. Their wards carry codes
# from city_code + 1 upwards (e.g. 大阪市 27100, 都島区 27102 … 27128; 堺市 27140, 堺区 27141 …).
DESIGNATED_CITIES: dict[str, str] = {
    "01100": "札幌市",
    "04100": "仙台市",
    "11100": "さいたま市",
    "12100": "千葉市",
    "14100": "横浜市",
    "14130": "川崎市",
    "14150": "相模原市",
    "15100": "新潟市",
    "22100": "静岡市",
    "22130": "浜松市",
    "23100": "名古屋市",
    "26100": "京都市",
    "27100": "大阪市",
    "27140": "堺市",
    "28100": "神戸市",
    "33100": "岡山市",
    "34100": "広島市",
    "40100": "北九州市",
    "40130": "福岡市",
    "43100": "熊本市",
}

# Each city's wards lie below the next designated city code of the same prefecture (or city + 30).
_WARD_RANGES: list[tuple[int, int, str]] = []
_codes = sorted(DESIGNATED_CITIES)
for _i, _c in enumerate(_codes):
    _start = int(_c)
    _nxt = int(_codes[_i + 1]) if _i + 1 < len(_codes) and _codes[_i + 1][:2] == _c[:2] else _start + 30
    _WARD_RANGES.append((_start + 1, min(_nxt, _start + 30) - 1, _c))


def muni_code_from_key(key: object) -> str | None:
    """First five digits of an e-Stat KEY_CODE (2-digit prefecture + 3-digit municipality)."""
    if key is None:
        return None
    text = str(key).strip()
    if text.endswith(".0"):  # a key read as a float from a sloppy spreadsheet
        text = text[:-2]
    if len(text) < 5 or not text[:5].isdigit():
        return None
    return text[:5]


def city_of_ward(code: str) -> str | None:
    """The designated city's code for a ward code (27102 → 27100), else None."""
    if len(code) != 5 or not code.isdigit():
        return None
    value = int(code)
    for lo, hi, city in _WARD_RANGES:
        if lo <= value <= hi:
            return city
    return None


def rollup_code(code: str, to_city: bool) -> str:
    """Municipality code at the chosen level: wards rolled up to their city when ``to_city``."""
    if to_city:
        city = city_of_ward(code)
        if city is not None:
            return city
    return code


def muni_name_from_estat(gst_name: str | None, css_name: str | None) -> str | None:
    """Municipality name from e-Stat's GST_NAME (郡 or 政令市) and CSS_NAME (町村 or 区): 大阪市 + 北区 →
    大阪市北区, 豊能郡 + 豊能町 → 豊能町 (the district is left out), a city without CSS_NAME its GST_NAME."""
    if css_name:
        return (gst_name + css_name) if gst_name and gst_name.endswith("市") else css_name
    return gst_name


def ward_city_name(ward_name: str | None, city_code: str) -> str:
    """Name of the designated city (from the table, else from the ward's name such as 大阪市都島区)."""
    name = DESIGNATED_CITIES.get(city_code)
    if name:
        return name
    if ward_name and "市" in ward_name:
        return ward_name[: ward_name.index("市") + 1]
    return city_code
