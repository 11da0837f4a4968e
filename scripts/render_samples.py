"""Render every committee chart and blank-area map from the sample data, to look at them.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 scripts/render_samples.py [--output sample-renders]

Charts: a fake but realistic table of 1,896 municipalities that reproduces the slides' cross-tab and
top-10 tables (tests/data/charts/slides_fixture.py), in Japanese and English.
Maps: 大東市 (bundled sample data, OSM 2014 convenience stores) and Tottori prefecture (2015 boundaries,
shared data), with `status` computed by a plain 500 m distance test (tests/data/charts/status_fixture.py)
until kaigo:blankareas is available.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(
    os.environ.get("KAIGO_SHARED_DATA")
    or next(
        (p for p in (ROOT.parent / "shared" / "data", ROOT.parent.parent / "shared" / "data") if p.is_dir()),
        ROOT.parent / "shared" / "data",
    )
)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, "/usr/share/qgis/python/plugins")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tests" / "data" / "charts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--output", default=str(ROOT / "sample-renders"))
    parser.add_argument("--only", choices=["charts", "maps"], default=None)
    parser.add_argument(
        "--codes", default="", help="Tottori municipality codes for the maps (default 31201,31302,31329)"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)

    from qgis.core import QgsApplication

    app = QgsApplication([], False)
    app.initQgis()
    from processing.core.Processing import Processing

    Processing.initialize()
    import processing

    import kaigo_resource_plugin

    plugin = kaigo_resource_plugin.classFactory(None)
    plugin.initProcessing()

    if args.only in (None, "charts"):
        slides = _load("slides_fixture")
        table = slides.write_csv(str(out / "municipalities_fake.csv"))
        chosen = ",".join([c for c, *_r in slides.SLIDE_POINTS] + ["28464"])
        for lang, index in (("ja", 1), ("en", 2)):
            res = processing.run(
                "kaigo:committeecharts",
                {
                    "INPUT": table,
                    "HIGHLIGHT": chosen,
                    "LANGUAGE": index,
                    "OUTPUT_FOLDER": str(out / f"charts_{lang}"),
                },
            )
            print(lang, res["N_MUNICIPALITIES"], res["N_EXCLUDED"], res["FONT"])

    if args.only in (None, "charts"):
        # real chōme (2015 Osaka points + Tottori polygons), OSM 2014 stores and libraries, JINKO as weight
        status = _load("status_fixture")
        osaka = SHARED / "osaka-2015-points" / "27-oosaka-all.dbf"
        tottori = SHARED / "tottori-2015" / "31-tottori-all.shp"
        if osaka.exists() and tottori.exists():
            real = str(out / "municipalities_osaka_tottori.csv")
            rows = status.municipality_table(
                [str(osaka), str(tottori)],
                {
                    "convenience": str(SHARED / "osm-japan-2014" / "convenience.geojson"),
                    "library": str(SHARED / "osm-japan-2014" / "library.geojson"),
                },
                real,
            )
            print("real table", len(rows))
            res = processing.run(
                "kaigo:committeecharts",
                {
                    "INPUT": real,
                    "HIGHLIGHT": "大東市, 鳥取市, 米子市, 27127, 豊能町, 日南町",
                    "TITLE": "大阪府・鳥取県（2015年国勢調査、OSM 2014 コンビニ・図書館、人口で重み付け）",
                    "TOP_N": 10,
                    "LANGUAGE": 1,
                    "OUTPUT_FOLDER": str(out / "charts_real"),
                },
            )
            print("real", res["N_MUNICIPALITIES"], res["N_EXCLUDED"], res["N_HIGHLIGHTED"])

    if args.only in (None, "maps"):
        status = _load("status_fixture")
        daito = out / "daito_status.gpkg"
        if daito.exists():
            daito.unlink()
        print(
            "daito",
            status.make_status_layer(
                str(ROOT / "sample_data" / "daito-27218" / "chome.shp"),
                str(ROOT / "sample_data" / "osm-2014" / "convenience_osaka.geojson"),
                str(daito),
            ),
        )
        res = processing.run(
            "kaigo:exportmap",
            {
                "INPUT": str(daito),
                "RESOURCES": [str(ROOT / "sample_data" / "osm-2014" / "convenience_osaka.geojson")],
                "LANGUAGE": 1,
                "EXPORT_SVG": True,
                "OUTPUT_FOLDER": str(out / "maps"),
            },
        )
        print(res["COUNTS"])
        tottori = SHARED / "tottori-2015" / "31-tottori-all.shp"
        if tottori.exists():
            tt = out / "tottori_status.gpkg"
            if tt.exists():
                tt.unlink()
            print(
                "tottori",
                status.make_status_layer(
                    str(tottori), str(SHARED / "osm-japan-2014" / "convenience.geojson"), str(tt)
                ),
            )
            res = processing.run(
                "kaigo:exportmap",
                {
                    "INPUT": str(tt),
                    "RESOURCES": [str(SHARED / "osm-japan-2014" / "convenience.geojson")],
                    "MUNI_CODES": args.codes or "31201,31302,31329",
                    "LANGUAGE": 1,
                    "OUTPUT_FOLDER": str(out / "maps"),
                },
            )
            print(res["COUNTS"])
            res = processing.run(
                "kaigo:exportmap",
                {
                    "INPUT": str(tt),
                    "RESOURCES": [str(SHARED / "osm-japan-2014" / "convenience.geojson")],
                    "MUNI_CODES": "31202",
                    "LANGUAGE": 2,
                    "OUTPUT_FOLDER": str(out / "maps_en"),
                },
            )
    plugin.unload()
    app.exitQgis()
    return 0


if __name__ == "__main__":
    sys.exit(main())
