"""Messy inputs for the SPEC §8 suite (tests/qgis/test_safety_*.py), made once per session from the
bundled sample data. Every file is a copy: a test that fails must not harm the repository's data."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from kaigo_paths import SAMPLE

DAITO = SAMPLE / "daito-27218" / "chome.shp"
AGES = SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv"
SHOPS = SAMPLE / "osm-2014" / "convenience_osaka.geojson"
LIBRARIES = SAMPLE / "osm-2014" / "library_osaka.geojson"

# Two chōme of 大東市 with their representative points (lon, lat): the resources below are placed
# about 100 m east of each, so that a radius of 500 m covers exactly that chōme's neighbourhood.
SAPPORO = [  # a made-up Hokkaido table whose keys lost their leading zero (read as numbers)
    (1101001001, 141.3500, 43.0600, 120),
    (1101001002, 141.3600, 43.0620, 80),
    (1101001003, 141.4200, 43.1000, 50),
]


def copy_shp(src: Path, dst_dir: Path, name: str, drop=(), prj: str | None = None) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        f = src.with_suffix(ext)
        if ext in drop or not f.exists():
            continue
        shutil.copy(f, dst_dir / f"{name}{ext}")
    if prj is not None:
        (dst_dir / f"{name}.prj").write_text(prj, encoding="ascii")
    return dst_dir / f"{name}.shp"


def translate(src, dst: Path, *options: str, sql: str | None = None, layer_name: str | None = None) -> Path:
    from osgeo import gdal

    opts = list(options)
    if sql:
        opts += ["-dialect", "SQLite", "-sql", sql]
    if layer_name:
        opts += ["-nln", layer_name]
    gdal.VectorTranslate(str(dst), str(src), options=opts)
    assert dst.exists(), dst
    return dst


def wkt_of(epsg: int) -> str:
    from osgeo import osr

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    srs.MorphToESRI()
    return srs.ExportToWkt()


def point_layer(path: Path, epsg: int | None, rows, fields=(("name", "s"),), geom_type=None, driver=None):
    """A layer of ``rows`` = [(wkt, {field: value})]."""
    from osgeo import ogr, osr

    drv_name = driver or {".gpkg": "GPKG", ".shp": "ESRI Shapefile", ".geojson": "GeoJSON"}[path.suffix]
    drv = ogr.GetDriverByName(drv_name)
    if path.exists():
        drv.DeleteDataSource(str(path))
    ds = drv.CreateDataSource(str(path))
    srs = None
    if epsg:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    lyr = ds.CreateLayer(path.stem, srs, geom_type if geom_type is not None else ogr.wkbPoint)
    kinds = {"s": ogr.OFTString, "i": ogr.OFTInteger64, "r": ogr.OFTReal}
    for name, kind in fields:
        lyr.CreateField(ogr.FieldDefn(name, kinds[kind]))
    for wkt, attrs in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for k, v in attrs.items():
            if v is not None:
                f.SetField(k, v)
        if wkt:
            f.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(f)
    ds = None
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under ``folder`` (GDAL's .aux.xml caches aside: QGIS writes
    one beside a raster it opened, which is no data of the user's)."""
    return {
        str(p.relative_to(folder)): digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.name.endswith(".aux.xml")
    }


def layer_names(path) -> list[str]:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    return sorted(ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount()))


def features(path, layer=None) -> list[dict]:
    from osgeo import ogr

    ds = ogr.Open(str(path))
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    return [f.items() for f in lyr]


def daito_points(d: Path) -> dict[str, tuple[float, float]]:
    from osgeo import ogr

    ds = ogr.Open(str(DAITO))
    return {f["KEY_CODE"]: (f["X_CODE"], f["Y_CODE"]) for f in ds.GetLayer(0)}


@pytest.fixture(scope="session")
def bad(tmp_path_factory, plugin):
    """{name: path} of the messy inputs; "dir" is their folder (hashed before and after every case)."""
    import processing
    from osgeo import ogr

    d = tmp_path_factory.mktemp("safety-data")
    f: dict[str, str] = {"dir": str(d)}
    f["daito"] = str(copy_shp(DAITO, d / "daito", "chome"))
    f["ages"] = str(shutil.copy(AGES, d / "tblT001082C27.csv"))
    f["shops"] = str(shutil.copy(SHOPS, d / "shops.geojson"))
    f["libraries"] = str(shutil.copy(LIBRARIES, d / "libraries.geojson"))
    f["roads"] = str(
        shutil.copy(SAMPLE.parent / "tests" / "data" / "ube-35202" / "roads.gpkg", d / "roads.gpkg")
    )
    # no .prj; a wrong .prj (WGS 84 degrees on plane-rectangular metres); Tokyo datum
    f["nocrs"] = str(copy_shp(DAITO, d / "nocrs", "chome", drop=(".prj",)))
    f["wrongprj"] = str(copy_shp(DAITO, d / "wrongprj", "chome", prj=wkt_of(4326)))
    f["daito_ll"] = str(translate(DAITO, d / "daito_ll.gpkg", "-t_srs", "EPSG:6668", layer_name="chome"))
    f["tokyo"] = str(translate(f["daito_ll"], d / "tokyo.gpkg", "-a_srs", "EPSG:4301", layer_name="chome"))
    # a chōme table without geometry: X_CODE/Y_CODE swapped, or in metres
    table_sql = "SELECT KEY_CODE, PREF, CITY, HCODE, JINKO, {x} AS X_CODE, {y} AS Y_CODE FROM chome"
    f["xy_swapped"] = str(
        translate(DAITO, d / "xy_swapped.gpkg", "-nlt", "NONE", sql=table_sql.format(x="Y_CODE", y="X_CODE"))
    )
    f["xy_metres"] = str(
        translate(
            DAITO,
            d / "xy_metres.gpkg",
            "-nlt",
            "NONE",
            sql=table_sql.format(x="(X_CODE - 136) * 91000", y="(Y_CODE - 36) * 111000"),
        )
    )
    # negative population; a key field that is no chōme key
    f["negpop"] = str(
        translate(
            DAITO,
            d / "negpop.gpkg",
            sql="SELECT KEY_CODE, HCODE, X_CODE, Y_CODE, S_NAME, CASE WHEN KEY_CODE = '272180010' "
            "THEN -250 ELSE JINKO END AS JINKO FROM chome",
            layer_name="chome",
        )
    )
    # Hokkaido keys stored as numbers (leading zero lost)
    f["sapporo"] = str(
        point_layer(
            d / "sapporo.gpkg",
            6668,
            [(f"POINT ({x} {y})", {"KEY_CODE": k, "JINKO": p}) for k, x, y, p in SAPPORO],
            fields=(("KEY_CODE", "i"), ("JINKO", "i")),
        )
    )
    f["sapporo_shops"] = str(point_layer(d / "sapporo_shops.gpkg", 6668, [("POINT (141.3510 43.0605)", {})]))
    # a GeoPackage holding the chōme and another layer of the user's
    multi = d / "multi.gpkg"
    translate(DAITO, multi, layer_name="chome")
    translate(f["shops"], multi, "-update", layer_name="keepme")
    f["multi"] = str(multi)
    # resources: MultiPoint / MultiPolygon, two layers of the same name, outside Japan, Tokyo datum, many
    # categories, a wrong CRS
    pts = daito_points(d)
    key_a = min(pts)
    key_b = max(pts, key=lambda k: (pts[k][0] - pts[key_a][0]) ** 2 + (pts[k][1] - pts[key_a][1]) ** 2)
    f["key_a"], f["key_b"] = key_a, key_b
    a, b = pts[key_a], pts[key_b]
    f["multipoint"] = str(
        point_layer(
            d / "multipoint.geojson",
            4326,
            [(f"MULTIPOINT (({a[0] + 0.001} {a[1]}), ({b[0] + 0.001} {b[1]}))", {"name": "two stops"})],
            geom_type=ogr.wkbMultiPoint,
        )
    )
    f["singlepoint"] = str(
        point_layer(d / "singlepoint.geojson", 4326, [(f"POINT ({a[0] + 0.001} {a[1]})", {"name": "one"})])
    )
    f["twopoints"] = str(
        point_layer(
            d / "twopoints.geojson",
            4326,
            [
                (f"POINT ({a[0] + 0.001} {a[1]})", {"name": "1"}),
                (f"POINT ({b[0] + 0.001} {b[1]})", {"name": "2"}),
            ],
        )
    )
    sq = 0.0004
    f["multipolygon"] = str(
        point_layer(
            d / "multipolygon.gpkg",
            6668,
            [
                (
                    f"MULTIPOLYGON ((({a[0]} {a[1]}, {a[0] + sq} {a[1]}, {a[0] + sq} {a[1] + sq}, {a[0]} {a[1] + sq}, "
                    f"{a[0]} {a[1]})), (({b[0]} {b[1]}, {b[0] + sq} {b[1]}, {b[0] + sq} {b[1] + sq}, {b[0]} "
                    f"{b[1] + sq}, {b[0]} {b[1]})))",
                    {"name": "mall"},
                )
            ],
            geom_type=ogr.wkbMultiPolygon,
        )
    )
    (d / "same1").mkdir()
    (d / "same2").mkdir()
    f["same1"] = str(shutil.copy(SHOPS, d / "same1" / "shops.geojson"))
    f["same2"] = str(shutil.copy(LIBRARIES, d / "same2" / "shops.geojson"))
    f["abroad"] = str(
        point_layer(
            d / "abroad.geojson",
            4326,
            [(f"POINT ({a[0] + 0.001} {a[1]})", {"name": "here"}), ("POINT (2.35 48.85)", {"name": "Paris"})],
        )
    )
    f["all_abroad"] = str(
        point_layer(d / "all_abroad.geojson", 4326, [("POINT (2.35 48.85)", {"name": "Paris"})])
    )
    f["res_tokyo"] = str(
        point_layer(d / "res_tokyo.gpkg", 4301, [(f"POINT ({a[0]} {a[1]})", {"name": "old"})])
    )
    f["res_wrongcrs"] = str(
        point_layer(d / "res_wrongcrs.gpkg", 2448, [(f"POINT ({a[0]} {a[1]})", {"name": "x"})])
    )
    f["res_manycats"] = str(
        point_layer(
            d / "res_manycats.gpkg",
            6668,
            [(f"POINT ({a[0] + i * 1e-4} {a[1]})", {"name": f"shop {i}"}) for i in range(150)],
        )
    )
    # tables: cut off inside a number, without a final newline, negative, text, stray CR, CR-only,
    # binary, an Excel workbook (zip), an old .xls
    raw = AGES.read_bytes()
    lines = raw.split(b"\r\n") if b"\r\n" in raw else raw.split(b"\n")
    body = [ln for ln in lines if ln]
    daito_rows = [ln for ln in body[2:] if ln.startswith(b"27218")]
    head = body[:2]
    small = head + daito_rows
    f["ages_small"] = str(d / "ages_small.csv")
    Path(f["ages_small"]).write_bytes(b"\r\n".join(small) + b"\r\n")
    last = small[-1]
    cut = last[: last.rfind(b",", 0, len(last) // 2) + 3]  # stops inside a number, half way along
    (d / "ages_cut.csv").write_bytes(b"\r\n".join(small[:-1] + [cut]))
    f["ages_cut"] = str(d / "ages_cut.csv")
    (d / "ages_nonl.csv").write_bytes(b"\r\n".join(small))
    f["ages_nonl"] = str(d / "ages_nonl.csv")

    def with_cell(value: bytes, name: str) -> str:
        rows = list(small)
        cells = rows[5].split(b",")
        cells[head[0].split(b",").index(b"T001082020")] = value
        rows[5] = b",".join(cells)
        (d / name).write_bytes(b"\r\n".join(rows) + b"\r\n")
        return str(d / name)

    f["ages_negative"] = with_cell(b"-12", "ages_negative.csv")
    f["ages_text"] = with_cell(b"abc", "ages_text.csv")
    rows = list(small)
    rows[7] = rows[7].replace(b",", b",\r", 1)  # a stray CR inside a row
    (d / "ages_cr.csv").write_bytes(b"\r\n".join(rows) + b"\r\n")
    f["ages_cr"] = str(d / "ages_cr.csv")
    (d / "ages_cronly.csv").write_bytes(b"\r".join(small) + b"\r")
    f["ages_cronly"] = str(d / "ages_cronly.csv")
    (d / "ages_binary.csv").write_bytes(bytes(range(256)) * 40)
    f["ages_binary"] = str(d / "ages_binary.csv")
    import zipfile

    with zipfile.ZipFile(d / "ages.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    f["ages_xlsx"] = str(d / "ages.xlsx")
    (d / "ages_xls.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    f["ages_xls"] = str(d / "ages_xls.csv")
    # a raster where a vector layer belongs
    from osgeo import gdal

    ras = gdal.GetDriverByName("GTiff").Create(str(d / "raster.tif"), 4, 4, 1, gdal.GDT_Byte)
    ras.SetGeoTransform([135.6, 0.01, 0, 34.75, 0, -0.01])
    ras = None
    f["raster"] = str(d / "raster.tif")
    # an area table (code → km²) for sufficiencyrates
    (d / "areas.csv").write_text("muni_code,area_km2\n27218,18.27\n", encoding="utf-8")
    f["areas"] = str(d / "areas.csv")
    # the chain's results, made once: chōme with access, and the municipality table
    blank = d / "blank.gpkg"
    processing.run("kaigo:blankareas", {"INPUT": f["daito"], "RESOURCES": [f["shops"]], "OUTPUT": str(blank)})
    f["blank"] = str(blank)
    muni = d / "muni.gpkg"
    processing.run(
        "kaigo:sufficiencyrates", {"INPUT": str(blank), "ELDERLY_FIELD": "JINKO", "OUTPUT": str(muni)}
    )
    f["muni"] = str(muni)
    f["negelderly"] = str(
        translate(
            blank,
            d / "negelderly.gpkg",
            sql="SELECT *, CASE WHEN KEY_CODE = '272180010' THEN -250 ELSE JINKO END AS eld FROM blank",
            layer_name="blank",
        )
    )
    f["blank_wrongprj"] = str(
        translate(blank, d / "blank_wrongprj.gpkg", "-a_srs", "EPSG:4326", layer_name="blank")
    )
    blank_ll = translate(blank, d / "blank_ll.gpkg", "-t_srs", "EPSG:6668", layer_name="blank")
    f["blank_tokyo"] = str(
        translate(blank_ll, d / "blank_tokyo.gpkg", "-a_srs", "EPSG:4301", layer_name="blank")
    )
    f["sapporo_blank"] = str(
        point_layer(
            d / "sapporo_blank.gpkg",
            6668,
            [
                (f"POINT ({x} {y})", {"KEY_CODE": k, "JINKO": p, "has_access": int(i == 0)})
                for i, (k, x, y, p) in enumerate(SAPPORO)
            ],
            fields=(("KEY_CODE", "i"), ("JINKO", "i"), ("has_access", "i")),
        )
    )
    (d / "manifest.json").write_text(json.dumps(sorted(f)), encoding="utf-8")
    return f
