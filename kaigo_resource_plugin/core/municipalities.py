"""The bundled list of Japan's municipalities (localgovjp, CC0): from a name in kanji or kana, a code, or a
prefecture to the municipality codes e-Stat serves; and type-ahead suggestions for the dock.

Designated cities (政令指定都市) are published by ward: asking for the whole city gives all its wards (the import
can roll them up to the city code); asking for one ward gives that ward. No QGIS import.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from .errors import InputError

DATA_FILE = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "localgovjp-utf8.csv")

PREFECTURES = (
    ("北海道", "ほっかいどう"),
    ("青森県", "あおもりけん"),
    ("岩手県", "いわてけん"),
    ("宮城県", "みやぎけん"),
    ("秋田県", "あきたけん"),
    ("山形県", "やまがたけん"),
    ("福島県", "ふくしまけん"),
    ("茨城県", "いばらきけん"),
    ("栃木県", "とちぎけん"),
    ("群馬県", "ぐんまけん"),
    ("埼玉県", "さいたまけん"),
    ("千葉県", "ちばけん"),
    ("東京都", "とうきょうと"),
    ("神奈川県", "かながわけん"),
    ("新潟県", "にいがたけん"),
    ("富山県", "とやまけん"),
    ("石川県", "いしかわけん"),
    ("福井県", "ふくいけん"),
    ("山梨県", "やまなしけん"),
    ("長野県", "ながのけん"),
    ("岐阜県", "ぎふけん"),
    ("静岡県", "しずおかけん"),
    ("愛知県", "あいちけん"),
    ("三重県", "みえけん"),
    ("滋賀県", "しがけん"),
    ("京都府", "きょうとふ"),
    ("大阪府", "おおさかふ"),
    ("兵庫県", "ひょうごけん"),
    ("奈良県", "ならけん"),
    ("和歌山県", "わかやまけん"),
    ("鳥取県", "とっとりけん"),
    ("島根県", "しまねけん"),
    ("岡山県", "おかやまけん"),
    ("広島県", "ひろしまけん"),
    ("山口県", "やまぐちけん"),
    ("徳島県", "とくしまけん"),
    ("香川県", "かがわけん"),
    ("愛媛県", "えひめけん"),
    ("高知県", "こうちけん"),
    ("福岡県", "ふくおかけん"),
    ("佐賀県", "さがけん"),
    ("長崎県", "ながさきけん"),
    ("熊本県", "くまもとけん"),
    ("大分県", "おおいたけん"),
    ("宮崎県", "みやざきけん"),
    ("鹿児島県", "かごしまけん"),
    ("沖縄県", "おきなわけん"),
)

_NAME_SUFFIXES = ("市", "区", "町", "村")
_KANA_SUFFIXES = ("ちょう", "まち", "むら", "そん", "し", "く")


def normalize(text: str) -> str:
    """Comparison key: NFKC, no spaces or middle dots, katakana → hiragana, ヶ/ケ/ヵ → け."""
    t = unicodedata.normalize("NFKC", text or "").strip()
    t = re.sub(r"[\s・･]", "", t)
    out = []
    for ch in t:
        o = ord(ch)
        if 0x30A1 <= o <= 0x30F6:  # katakana → hiragana (ヶ U+30F6 → ゖ, fixed below)
            ch = chr(o - 0x60)
        out.append(ch)
    t = "".join(out)
    return t.replace("ゖ", "け").replace("ゕ", "か").lower()


def _strip_suffix(key: str, suffixes: Sequence[str]) -> str:
    for s in suffixes:
        if key.endswith(s) and len(key) > len(s):
            return key[: -len(s)]
    return key


@dataclass(frozen=True)
class Municipality:
    code: str  # 5 digits (the e-Stat code; first five of the 6-digit 全国地方公共団体コード)
    pref_code: str  # 2 digits
    pref: str
    name: str  # "大東市", "大阪市北区" (wards written without the space)
    kana: str  # "だいとうし", "おおさかしきたく"
    lat: float | None = None
    lng: float | None = None
    city_code: str | None = None  # for a ward: the designated city's code
    ward_codes: tuple[str, ...] = ()  # for a designated city: its wards

    @property
    def is_ward(self) -> bool:
        return self.city_code is not None

    @property
    def is_designated_city(self) -> bool:
        return bool(self.ward_codes)

    def label(self) -> str:
        """Shown in the dock's list: 大東市（だいとうし）大阪府 27218."""
        return f"{self.name}（{self.kana}）{self.pref} {self.code}"


@dataclass
class Registry:
    items: list[Municipality]
    by_code: dict[str, Municipality] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_code = {m.code: m for m in self.items}
        self._keys = [
            (
                m,
                normalize(m.name),
                normalize(m.kana),
                normalize(m.pref + m.name),
                normalize(PREFECTURES[int(m.pref_code) - 1][1] + m.kana),
            )
            for m in self.items
        ]

    def __len__(self) -> int:
        return len(self.items)

    def prefecture(self, pref_code: str) -> list[Municipality]:
        return [m for m in self.items if m.pref_code == pref_code]

    # -- look-up -----------------------------------------------------------------------------------

    def _pref_of(self, key: str, short: bool) -> str | None:
        """Prefecture code of a key that names a prefecture (short: 大阪 / おおさか as well)."""
        for i, (name, kana) in enumerate(PREFECTURES):
            forms = {normalize(name), normalize(kana)}
            if short and name != "北海道":
                forms = {normalize(name[:-1]), normalize(re.sub("(けん|ふ|と)$", "", kana))}
            if key in forms:
                return f"{i + 1:02d}"
        return None

    def _match_names(self, key: str, pref: str | None) -> list[Municipality]:
        rows = [k for k in self._keys if pref is None or k[0].pref_code == pref]
        exact = [k[0] for k in rows if key in (k[1], k[2], k[3], k[4])]
        if exact:
            return exact
        return [
            k[0]
            for k in rows
            if key
            in (
                _strip_suffix(k[1], _NAME_SUFFIXES),
                _strip_suffix(k[2], _KANA_SUFFIXES),
                _strip_suffix(k[3], _NAME_SUFFIXES),
            )
        ]

    def lookup(self, query: str) -> list[Municipality]:
        """The municipalities one query names (a prefecture gives all of its municipalities).

        Raises InputError (ja + en) when nothing or more than one place matches."""
        raw = (query or "").strip()
        key = normalize(raw)
        if not key:
            return []
        if key.isdigit():
            return self._lookup_code(raw, key)
        pref = self._pref_of(key, short=False)
        if pref:
            return self.prefecture(pref)
        hits = self._match_names(key, None)
        if not hits:  # 大阪府大東市 / おおさかふだいとうし with the prefecture written first
            for i, (name, kana) in enumerate(PREFECTURES):
                for p in (normalize(name), normalize(kana)):
                    if key.startswith(p) and len(key) > len(p):
                        hits = self._match_names(key[len(p) :], f"{i + 1:02d}")
                        if hits:
                            break
                if hits:
                    break
        short_pref = self._pref_of(key, short=True)
        if short_pref and not hits:
            return self.prefecture(short_pref)
        if short_pref and hits:
            hits = hits + [Municipality("", short_pref, PREFECTURES[int(short_pref) - 1][0], "", "")]
        if not hits:
            close = [m.label() for m in self.suggest(raw, limit=5)]
            raise InputError(
                ja=f"「{raw}」という市区町村が見つかりません。"
                + (f"候補: {'、'.join(close)}。" if close else "")
                + "市区町村名（漢字またはかな）、5 桁のコード、または都道府県名を指定してください。",
                en=f"No municipality named '{raw}'. "
                + (f"Did you mean: {', '.join(close)}? " if close else "")
                + "Give a municipality name (kanji or kana), its 5-digit code, or a prefecture name.",
            )
        if len(hits) > 1:
            names = [m.label() if m.code else m.pref for m in hits]
            raise InputError(
                ja=f"「{raw}」に当てはまる場所が複数あります: {'、'.join(names)}。"
                "都道府県名を前に付けるか（例: 東京都府中市）、5 桁のコードで指定してください。",
                en=f"'{raw}' matches more than one place: {', '.join(names)}. Put the prefecture first "
                "(e.g. 東京都府中市) or give the 5-digit code.",
            )
        return hits

    def _lookup_code(self, raw: str, key: str) -> list[Municipality]:
        if len(key) <= 2 and 1 <= int(key) <= 47:
            return self.prefecture(key.zfill(2))
        code = key
        if len(key) == 6:
            code = key[:5]
            if code in self.by_code and check_digit(code) != key[5]:
                raise InputError(
                    ja=f"コード {raw} の検査数字が違います（{code} の検査数字は {check_digit(code)}）。",
                    en=f"The check digit of code {raw} is wrong ({code} has check digit {check_digit(code)}).",
                )
        elif len(key) == 4:
            code = key.zfill(5)
        if code not in self.by_code:
            raise InputError(
                ja=f"市区町村コード {raw} は一覧にありません。5 桁のコード（例: 27218）を確認してください。",
                en=f"The municipality code {raw} is not in the list. Check the 5-digit code (e.g. 27218).",
            )
        return [self.by_code[code]]

    def resolve(self, queries: str | Iterable[str]) -> list[Municipality]:
        """Every place named by ``queries`` (a list, or one text separated by commas, 、 or newlines), in
        order, without duplicates. Prefectures and designated cities stay as asked; see download_units()."""
        if isinstance(queries, str):
            parts = split_queries(queries)
        else:
            parts = [p for q in queries for p in split_queries(str(q))]
        out: dict[str, Municipality] = {}
        for part in parts:
            for m in self.lookup(part):
                out.setdefault(m.code, m)
        if not out:
            raise InputError(
                ja="市区町村（MUNICIPALITIES）が指定されていません。名前（漢字・かな）かコードを指定してください。",
                en="No municipality (MUNICIPALITIES) was given: give names (kanji or kana) or codes.",
            )
        return list(out.values())

    def download_units(self, places: Sequence[Municipality]) -> list[Municipality]:
        """What e-Stat serves for ``places``: a designated city becomes its wards; the rest stay."""
        out: dict[str, Municipality] = {}
        for m in places:
            if m.is_designated_city:
                for w in m.ward_codes:
                    out.setdefault(w, self.by_code[w])
            else:
                out.setdefault(m.code, m)
        return list(out.values())

    # -- type-ahead --------------------------------------------------------------------------------

    def suggest(self, text: str, limit: int = 20) -> list[Municipality]:
        """Municipalities whose name, kana, prefecture + name, or code begins with ``text``; then those
        that contain it. Kanji or kana (hiragana or katakana, full or half width)."""
        key = normalize(text)
        if not key:
            return []
        if key.isdigit():
            return [
                m for m in self.items if m.code.startswith(key) or (len(key) == 4 and m.code == "0" + key)
            ][:limit]
        first: list[Municipality] = []
        later: list[Municipality] = []
        for m, name, kana, pref_name, pref_kana in self._keys:
            keys = (name, kana, pref_name, pref_kana)
            if any(k.startswith(key) for k in keys):
                first.append(m)
            elif any(key in k for k in keys):
                later.append(m)
        return (first + later)[:limit]


def query_from_label(text: str) -> str:
    """The code of a label picked from the type-ahead list (大東市（だいとうし）大阪府 27218 → 27218), each part
    of a comma-separated text; other text is returned as it is."""
    parts = []
    for part in split_queries(text):
        m = re.fullmatch(r".*[（(].*[)）].*\s(\d{5})", part)
        parts.append(m.group(1) if m else part)
    return ", ".join(parts)


def split_queries(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,、，;；\n]+", text or "") if p.strip()]


def check_digit(code5: str) -> str:
    """Check digit of a 5-digit 地方公共団体コード (the 6th digit of the code)."""
    digits = [int(c) for c in code5]
    total = sum(d * w for d, w in zip(digits, (6, 5, 4, 3, 2)))
    return str((11 - total % 11) % 10)


def parse_rows(rows: Iterable[dict[str, str]]) -> list[Municipality]:
    """Rows of localgovjp-utf8.csv (pid, pref, cid, city, citykana, lat, lng, url, phrase, lgcode)."""
    base: list[tuple[str, str, str, str, str, float | None, float | None]] = []
    for r in rows:
        lg = (r.get("lgcode") or "").strip()
        code = lg[:5] if len(lg) == 6 else (r.get("cid") or "").strip().zfill(5)
        if not re.fullmatch(r"\d{5}", code):
            continue

        def num(v: str | None) -> float | None:
            try:
                return float(v) if v else None
            except ValueError:
                return None

        base.append(
            (
                code,
                code[:2],
                (r.get("pref") or "").strip(),
                (r.get("city") or "").strip(),
                (r.get("citykana") or "").strip(),
                num(r.get("lat")),
                num(r.get("lng")),
            )
        )
    city_by_name = {(p, name): code for code, p, _pref, name, _k, _la, _ln in base if " " not in name}
    wards: dict[str, list[str]] = {}
    parent: dict[str, str] = {}
    for code, p, _pref, name, _k, _la, _ln in base:
        if " " in name:
            city = city_by_name.get((p, name.split(" ", 1)[0]))
            if city:
                parent[code] = city
                wards.setdefault(city, []).append(code)
    return [
        Municipality(
            code=code,
            pref_code=p,
            pref=pref,
            name=name.replace(" ", ""),
            kana=kana.replace(" ", ""),
            lat=lat,
            lng=lng,
            city_code=parent.get(code),
            ward_codes=tuple(wards.get(code, ())),
        )
        for code, p, pref, name, kana, lat, lng in base
    ]


def load(path: str | None = None) -> Registry:
    with open(path or DATA_FILE, encoding="utf-8-sig", newline="") as fh:
        return Registry(parse_rows(csv.DictReader(fh)))


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The bundled list (read once)."""
    return load()


def prefectures_near(
    reg: Registry, bbox: tuple[float, float, float, float], margin_deg: float = 0.05
) -> list[str]:
    """Prefecture codes with a town hall inside ``bbox`` = (S, W, N, E) degrees plus a margin, or the
    prefecture of the nearest town hall when none lies inside (a small extent between town halls)."""
    s, w, n, e = bbox
    found = sorted(
        {
            m.pref_code
            for m in reg.items
            if m.lat is not None
            and m.lng is not None
            and s - margin_deg <= m.lat <= n + margin_deg
            and w - margin_deg <= m.lng <= e + margin_deg
        }
    )
    if found:
        return found
    cy, cx = (s + n) / 2, (w + e) / 2
    best = min(
        (m for m in reg.items if m.lat is not None and m.lng is not None),
        key=lambda m: (m.lat - cy) ** 2 + (m.lng - cx) ** 2,  # type: ignore[operator]
    )
    return [best.pref_code]
