"""For someone with Internet access: download one small municipality from each live source and report what
arrived, so that the live formats can be confirmed (the plugin was built on machines without Internet).

    .venv/bin/python scripts/live_check.py [--municipality 大東市] [--output live-check]

Runs kaigo:downloadestat (IMPORT on) and kaigo:downloadresources (the four OpenStreetMap types and P04) through
QGIS's network stack, exactly as the plugin does, and prints: the URLs asked, the files and layers received,
feature counts, the fields of the boundary file, and any error message. Exit code 0 when every source answered.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import qgis_env  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--municipality", default="大東市")
    ap.add_argument("--output", default="live-check")
    args = ap.parse_args()
    out = Path(args.output).resolve()
    out.mkdir(parents=True, exist_ok=True)
    qgis_env.start()
    import processing
    from qgis.core import QgsProcessingFeedback, QgsVectorLayer

    from kaigo_resource_plugin.core import sources

    class Printer(QgsProcessingFeedback):
        def pushInfo(self, info):  # noqa: N802
            print("  ", info)

        def pushWarning(self, warning):  # noqa: N802
            print("   WARNING", warning)

    for key in ("estat", "overpass", "ksj"):
        print(f"{key}: {sources.base_url(key)} ({sources.url_origin(key)})")
    report: dict[str, object] = {}
    ok = True
    print(f"\n== e-Stat: {args.municipality}")
    try:
        res = processing.run(
            "kaigo:downloadestat",
            {
                "MUNICIPALITIES": args.municipality,
                "CACHE_FOLDER": str(out / "cache"),
                "OUTPUT": str(out / "chome.gpkg"),
                "OUTPUT_AGES": str(out / "T001082.csv"),
            },
            feedback=Printer(),
        )
        layer = QgsVectorLayer(res["OUTPUT"], "chome", "ogr")
        report["estat"] = {
            "codes": res["CODES"],
            "chome": layer.featureCount(),
            "fields": [f.name() for f in layer.fields()],
            "cache": sorted(os.listdir(out / "cache")),
        }
        print("   OK", json.dumps(report["estat"], ensure_ascii=False))
    except Exception:
        ok = False
        report["estat"] = traceback.format_exc()
        print("   FAILED\n", report["estat"])
    print("\n== OpenStreetMap (Overpass) and 国土数値情報 P04")
    try:
        res = processing.run(
            "kaigo:downloadresources",
            {
                "EXTENT": str(out / "chome.gpkg"),
                "TYPES": [0, 1, 2, 3, 4],
                "OUTPUT_FOLDER": str(out / "resources"),
                "CACHE_FOLDER": str(out / "cache"),
            },
            feedback=Printer(),
        )
        report["resources"] = {
            k: QgsVectorLayer(res[k], k, "ogr").featureCount()
            for k in ("SHOPPING", "SPORTS", "LEISURE", "PUBLIC", "P04")
            if k in res
        }
        print("   OK", report["resources"])
    except Exception:
        ok = False
        report["resources"] = traceback.format_exc()
        print("   FAILED\n", report["resources"])
    (out / "live_check.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nreport: {out / 'live_check.json'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
