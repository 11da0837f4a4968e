"""Compare two output folders of `make demo` (or `make bench`): are the outputs the same?

    python scripts/compare_outputs.py REFERENCE_FOLDER NEW_FOLDER

Every file is compared byte for byte, except where a run cannot be byte-identical with itself:
- GeoPackages (.gpkg) row by row: layer names, field names and types, every attribute and the WKB of
  every geometry, in feature order (the file holds timestamps and page layout that change per run);
- run_summary.json / run_summary.txt without the clock (started, finished, seconds);
- PDFs without their creation date, rendered to pixels when `pdftoppm` exists (Qt embeds the two
  font subsets in either order, so the bytes of two identical runs differ).
Exits 1 and lists what differs; a file only on one side is a difference too.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CLOCK_KEYS = ("started", "finished", "seconds")


def _gpkg_rows(path: Path) -> list:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    out = []
    for i in range(ds.GetLayerCount()):
        layer = ds.GetLayerByIndex(i)
        defn = layer.GetLayerDefn()
        fields = [
            (defn.GetFieldDefn(j).GetName(), defn.GetFieldDefn(j).GetTypeName())
            for j in range(defn.GetFieldCount())
        ]
        srs = layer.GetSpatialRef()
        out.append(("layer", layer.GetName(), fields, srs.ExportToWkt() if srs else None))
        layer.ResetReading()
        for feat in layer:
            geom = feat.GetGeometryRef()
            wkb = bytes(geom.ExportToIsoWkb()) if geom is not None else None
            out.append(([feat.GetField(j) for j in range(defn.GetFieldCount())], wkb))
    ds = None
    return out


def _summary_json(path: Path) -> object:
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in CLOCK_KEYS:
        data.pop(key, None)
    return data


def _summary_txt(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", "<time>", text)
    return re.sub(r"\(\d+(\.\d+)? s\)", "(<s> s)", text)


def _pdf(path: Path) -> object:
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), f"{tmp}/p"], check=True)
            return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(Path(tmp).glob("*.png"))]
    return re.sub(rb"/CreationDate \([^)]*\)", b"", path.read_bytes())


def canonical(path: Path) -> object:
    if path.suffix == ".gpkg":
        return _gpkg_rows(path)
    if path.name == "run_summary.json":
        return _summary_json(path)
    if path.name == "run_summary.txt":
        return _summary_txt(path)
    if path.suffix == ".pdf":
        return _pdf(path)
    return path.read_bytes()


def compare(ref: Path, new: Path) -> list[str]:
    names_ref = {p.relative_to(ref) for p in ref.rglob("*") if p.is_file()}
    names_new = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    problems = [f"only in {ref}: {n}" for n in sorted(names_ref - names_new)]
    problems += [f"only in {new}: {n}" for n in sorted(names_new - names_ref)]
    for name in sorted(names_ref & names_new):
        if canonical(ref / name) != canonical(new / name):
            problems.append(f"differs: {name}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    ref, new = Path(argv[0]), Path(argv[1])
    problems = compare(ref, new)
    for line in problems:
        print(line)
    n = sum(1 for p in ref.rglob("*") if p.is_file())
    print(f"{n} files in {ref}: {'all the same' if not problems else f'{len(problems)} differences'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
