"""A fake but realistic municipality table that reproduces the study group's slides (pp. 21-24).

1,896 municipalities with a rate, whose band x density-class counts are exactly the cross-tab of p.22
(933 / 629 / 334), the named municipalities of p.21 at their published rate and density, and the
top-10 tables of pp.23-24 (class 1 and class 2) at their published figures; plus 3 municipalities
without a rate (no at-home elderly), which the charts must leave out and report.
Everything else is random with a fixed seed. Used by tests/unit/test_charts.py, tests/qgis/test_charts.py
and scripts/render_samples.py.
"""

from __future__ import annotations

import csv
import random

# p.22: rows 80-100 ... 0-20, columns class 1, 2, 3
SLIDE_CROSSTAB = {
    "80-100": (21, 80, 302),
    "60-80": (69, 211, 24),
    "40-60": (182, 203, 3),
    "20-40": (252, 89, 2),
    "0-20": (409, 46, 3),
}
SLIDE_TEXT = {
    "80-100": ("21（2.3％）", "80（12.7％）", "302（90.4％）", "403（21.3％）"),
    "60-80": ("69（7.4％）", "211（33.5％）", "24（7.2％）", "304（16.0％）"),
    "40-60": ("182（19.5％）", "203（32.3％）", "3（0.9％）", "388（20.5％）"),
    "20-40": ("252（27.0％）", "89（14.1％）", "2（0.6％）", "343（18.1％）"),
    "0-20": ("409（43.8％）", "46（7.3％）", "3（0.9％）", "458（24.2％）"),
    None: ("933（100％）", "629（100％）", "334（100％）", "1896（100％）"),
}

# p.21 red dots: code, pref, name, rate, density, population
SLIDE_POINTS = [
    ("13203", "東京都", "武蔵野市", 100.0, 13675.0, 150149),
    ("27218", "大阪府", "大東市", 98.8, 6534.0, 119367),
    ("12207", "千葉県", "松戸市", 94.6, 8117.0, 498232),
    ("23229", "愛知県", "豊明市", 83.2, 2984.0, 68285),
    ("11206", "埼玉県", "行田市", 63.0, 1165.0, 78617),
    ("45205", "宮崎県", "小林市", 39.8, 77.6, 43670),
    ("01581", "北海道", "厚真町", 8.4, 9.2, 4428),
]
# p.23 (class 1) and p.24 (class 2): code, pref, name, rate, population, area, density
SLIDE_TOP1 = [
    ("11361", "埼玉県", "秩父郡横瀬町", 93.2, 7979, 70.4, 113.4),
    ("30424", "和歌山県", "東牟婁郡太地町", 90.9, 2791, 133.4, 20.9),
    ("01206", "北海道", "釧路市", 88.5, 165061, 1363.3, 121.1),
    ("01224", "北海道", "千歳市", 87.8, 97950, 594.5, 164.8),
    ("30381", "和歌山県", "日高郡美浜町", 86.2, 27468, 628.4, 137.7),
    ("01219", "北海道", "紋別市", 84.9, 21215, 830.7, 25.5),
    ("30392", "和歌山県", "日高郡印南町", 80.3, 30880, 628.4, 154.8),
    ("01484", "北海道", "留萌振興局羽幌町", 80.2, 6548, 402.3, 16.3),
    ("01513", "北海道", "宗谷総合振興局中頓別町", 79.9, 1637, 638.6, 2.6),
    ("20386", "長野県", "上伊那郡飯島町", 78.1, 9004, 85.8, 105.0),
]
SLIDE_TOP2 = [
    ("27362", "大阪府", "泉南郡田尻町", 100.0, 8434, 24.0, 351.2),
    ("37386", "香川県", "綾歌郡宇多津町", 100.0, 18699, 58.9, 317.3),
    ("28464", "兵庫県", "加古郡播磨町", 99.9, 33604, 22.0, 1525.7),
    ("40345", "福岡県", "糟屋郡志免町", 96.7, 46377, 23.5, 1971.8),
    ("47325", "沖縄県", "中頭郡嘉手納町", 96.5, 13521, 17.9, 756.2),
    ("26322", "京都府", "久世郡久御山町", 96.0, 15250, 13.9, 1100.3),
    ("47348", "沖縄県", "島尻郡与那原町", 95.2, 19695, 19.6, 1006.1),
    ("26101", "京都府", "京都市北区", 94.2, 117165, 94.9, 1234.9),
    ("26108", "京都府", "京都市右京区", 93.6, 202047, 292.1, 691.8),
    ("44202", "大分県", "別府市", 93.3, 115321, 125.3, 920.1),
]
NULL_RATE = [("99001", "架空県", "無人村A"), ("99002", "架空県", "無人村B"), ("99003", "架空県", "無人村C")]

PREFS = ["北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
         "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
         "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
         "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
         "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"]
BAND_RANGES = {"0-20": (0.0, 20.0), "20-40": (20.0, 40.0), "40-60": (40.0, 60.0), "60-80": (60.0, 80.0),
               "80-100": (80.0, 100.0)}
CLASS_RANGES = {1: (1.5, 199.0), 2: (200.0, 1999.0), 3: (2000.0, 21000.0)}
LABELS = {1: "中山間地域", 2: "一般都市（中間）", 3: "大都市"}
FIELDS = ["muni_code", "pref_name", "muni_name", "pop_total", "area_km2", "area_source", "density",
          "density_class", "class_label", "rate_pct", "rate_band", "rate_pct_convenience",
          "rate_band_convenience", "rate_pct_library", "rate_band_library"]


def band_of(rate):
    if rate is None:
        return None
    for label, (lo, hi) in BAND_RANGES.items():
        if lo <= rate < hi:
            return label
    return "80-100"


def class_of(d):
    return 1 if d < 200 else (2 if d < 2000 else 3)


def rows(seed: int = 20250101) -> list[dict]:
    rnd = random.Random(seed)
    fixed = []  # (code, pref, name, rate, pop, area, density)
    for code, pref, name, rate, dens, pop in SLIDE_POINTS:
        fixed.append((code, pref, name, rate, pop, round(pop / dens, 2), dens))
    fixed += SLIDE_TOP1 + SLIDE_TOP2
    need = {(b, c): SLIDE_CROSSTAB[b][c - 1] for b in SLIDE_CROSSTAB for c in (1, 2, 3)}
    for f in fixed:
        need[(band_of(f[3]), class_of(f[6]))] -= 1
    out = []
    for code, pref, name, rate, pop, area, dens in fixed:
        out.append(_row(rnd, code, pref, name, pop, area, dens, rate))
    serial = 0
    for (band, cls), count in sorted(need.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        assert count >= 0, (band, cls)
        lo, hi = BAND_RANGES[band]
        if cls == 1 and band == "80-100":
            hi = 80.2  # the slide's class-1 top 10 holds only 8 rates of 80 % or more
        if cls == 1 and band == "60-80":
            hi = 78.1
        if cls == 2 and band == "80-100":
            hi = 93.3
        for _ in range(count):
            serial += 1
            rate = round(rnd.uniform(lo, hi - 0.05), 1) if band != "80-100" or cls != 3 else round(
                rnd.uniform(lo, 100.0), 1)
            if cls == 2 and band == "80-100":
                rate = round(rnd.uniform(lo, hi - 0.1), 1)
            dlo, dhi = CLASS_RANGES[cls]
            dens = round(10 ** rnd.uniform(_log(dlo), _log(dhi)), 1)
            area = round(10 ** rnd.uniform(0.8, 2.8) if cls == 1 else 10 ** rnd.uniform(0.7, 2.2), 1)
            pop = int(round(dens * area))
            pref = PREFS[rnd.randrange(len(PREFS))]
            code = f"{PREFS.index(pref) + 1:02d}{800 + serial % 199:03d}"
            name = f"架空{'市町村'[serial % 3]}{serial:04d}"
            out.append(_row(rnd, code, pref, name, pop, area, round(pop / area, 3), rate))
    for code, pref, name in NULL_RATE:
        out.append(_row(rnd, code, pref, name, 0, 12.5, 0.0, None))
    out.sort(key=lambda r: r["muni_code"])
    # codes of fakes can collide: make them unique and stable
    seen = set()
    for r in out:
        code = r["muni_code"]
        while code in seen:
            code = f"{code[:2]}{(int(code[2:]) + 1) % 1000:03d}"
        seen.add(code)
        r["muni_code"] = code
    return out


def _log(x):
    import math

    return math.log10(x)


def _row(rnd, code, pref, name, pop, area, dens, rate):
    conv = None if rate is None else round(max(0.0, min(100.0, rate * rnd.uniform(0.3, 0.9))), 3)
    lib = None if rate is None else round(max(0.0, min(100.0, rate * rnd.uniform(0.05, 0.5))), 3)
    cls = class_of(dens) if pop else 1
    return {
        "muni_code": code, "pref_name": pref, "muni_name": name, "pop_total": pop, "area_km2": area,
        "area_source": "field", "density": dens, "density_class": cls, "class_label": LABELS[cls],
        "rate_pct": rate, "rate_band": band_of(rate), "rate_pct_convenience": conv,
        "rate_band_convenience": band_of(conv), "rate_pct_library": lib, "rate_band_library": band_of(lib),
    }


def write_csv(path: str, seed: int = 20250101) -> str:
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS, lineterminator="\r\n")
        w.writeheader()
        for r in rows(seed):
            w.writerow({k: ("" if v is None else v) for k, v in r.items()})
    return path
