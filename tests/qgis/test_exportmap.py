"""kaigo:exportmap: one A4 map per municipality, its colours, legend counts, input styles untouched."""

from __future__ import annotations

import importlib.util
import json
import os
import struct
import subprocess

import pytest
from kaigo_paths import ROOT

_spec = importlib.util.spec_from_file_location(
    "status_fixture", ROOT / "tests" / "data" / "charts" / "status_fixture.py"
)
status_fixture = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(status_fixture)

MM = 300 / 25.4  # pixels per mm at 300 dpi
MAP_BOX = (10, 24, 210, 176)  # map frame on the page, mm (export_map.MAP_X … MAP_Y + MAP_H)
COLORS = {"blank": (0xE3, 0x1A, 0x1C), "covered": (0x1F, 0x78, 0xB4), "no_population": (0xBD, 0xBD, 0xBD)}


@pytest.fixture(scope="module")
def daito(tmp_path_factory, sample_data):
    out = tmp_path_factory.mktemp("map") / "daito_status.gpkg"
    counts = status_fixture.make_status_layer(
        str(sample_data / "daito-27218" / "chome.shp"),
        str(sample_data / "osm-2014" / "convenience_osaka.geojson"),
        str(out),
    )
    return str(out), counts


def _color_counts(png_path, box_mm=MAP_BOX, step=3):
    """Pixels of each status colour inside the map frame (every ``step``-th pixel)."""
    from qgis.PyQt.QtGui import QImage

    img = QImage(png_path)
    x0, y0, x1, y1 = (int(v * MM) for v in box_mm)
    found = {k: 0 for k in COLORS}
    for y in range(y0 + 10, y1 - 10, step):
        for x in range(x0 + 10, x1 - 10, step):
            c = img.pixelColor(x, y)
            rgb = (c.red(), c.green(), c.blue())
            for key, ref in COLORS.items():
                if all(abs(a - b) <= 6 for a, b in zip(rgb, ref)):
                    found[key] += 1
    return found


def test_daito_map(run_alg, daito, sample_data, tmp_path):
    from qgis.core import QgsVectorLayer

    path, counts = daito
    assert counts == {"blank": 79, "covered": 38, "no_population": 7}
    chome = QgsVectorLayer(path, "chome", "ogr")
    stores = QgsVectorLayer(str(sample_data / "osm-2014" / "convenience_osaka.geojson"), "コンビニ", "ogr")
    before = (chome.renderer().dump(), stores.renderer().dump())
    res = run_alg(
        "kaigo:exportmap",
        {
            "INPUT": chome,
            "RESOURCES": [stores],
            "LANGUAGE": 1,
            "EXPORT_SVG": True,
            "OUTPUT_FOLDER": str(tmp_path),
        },
    )
    assert (chome.renderer().dump(), stores.renderer().dump()) == before  # input styles untouched
    assert res["N_MAPS"] == 1
    assert res["MAPS"] == {"27218": str(tmp_path / "map_27218.png")}
    assert sorted(os.listdir(tmp_path)) == [
        ".kaigo-manifest.json",
        "map_27218.pdf",
        "map_27218.png",
        "map_27218.svg",
    ]
    got = res["COUNTS"]["27218"]
    assert {k: got[k] for k in COLORS} == counts
    n_pins = got["resources"]["コンビニ"]
    assert 15 <= n_pins <= stores.featureCount()  # the stores of the map's extent, city and surroundings

    png = (tmp_path / "map_27218.png").read_bytes()
    assert struct.unpack(">II", png[16:24]) == (3507, 2480)  # A4 landscape at 300 dpi (297 mm → 3507 px)
    i = png.index(b"pHYs")
    assert round(struct.unpack(">I", png[i + 4 : i + 8])[0] * 0.0254) == 300
    colors = _color_counts(str(tmp_path / "map_27218.png"))
    assert colors["blank"] > colors["covered"] > colors["no_population"] > 0, colors

    pdf = (tmp_path / "map_27218.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/FontFile" in pdf  # the Japanese font is embedded


def test_no_red_when_nothing_is_blank(run_alg, daito, tmp_path):
    from qgis.core import QgsFeatureRequest, QgsVectorLayer, edit

    path, _counts = daito
    mem = QgsVectorLayer(path, "copy", "ogr").materialize(QgsFeatureRequest())
    idx = mem.fields().indexOf("status")
    with edit(mem):
        for f in mem.getFeatures():
            if f["status"] == "blank":
                mem.changeAttributeValue(f.id(), idx, "covered")
    res = run_alg("kaigo:exportmap", {"INPUT": mem, "LANGUAGE": 2, "OUTPUT_FOLDER": str(tmp_path)})
    got = res["COUNTS"]["27218"]
    assert (got["blank"], got["covered"], got["no_population"]) == (0, 117, 7)
    assert got["resources"] == {}
    colors = _color_counts(res["MAPS"]["27218"])
    assert colors["blank"] == 0 and colors["covered"] > 0, colors
    # the English legend (long labels) still fits on the page: the right margin stays white
    from qgis.PyQt.QtGui import QImage

    img = QImage(res["MAPS"]["27218"])
    margin = [
        img.pixelColor(x, y).lightness()
        for x in range(int(293 * MM), img.width(), 4)
        for y in range(0, img.height(), 8)
    ]
    assert min(margin) > 245


def test_errors(run_alg, daito, tmp_path):
    from qgis.core import QgsProcessingException

    path, _counts = daito
    with pytest.raises(QgsProcessingException, match="99999"):
        run_alg(
            "kaigo:exportmap", {"INPUT": path, "MUNI_CODES": "27218, 99999", "OUTPUT_FOLDER": str(tmp_path)}
        )
    with pytest.raises(QgsProcessingException, match="nosuchfield"):
        run_alg(
            "kaigo:exportmap", {"INPUT": path, "STATUS_FIELD": "nosuchfield", "OUTPUT_FOLDER": str(tmp_path)}
        )
    assert list(tmp_path.iterdir()) == []


def test_tottori_two_towns_in_geographic_coordinates(run_alg, shared_data, tmp_path):
    from qgis.core import QgsVectorLayer

    src = shared_data / "tottori-2015" / "31-tottori-all.shp"
    status = tmp_path / "tottori.gpkg"
    status_fixture.make_status_layer(
        str(src),
        str(shared_data / "osm-2014-osaka-tottori" / "convenience.geojson"),
        str(status),
        muni_codes=("31302", "31329"),
    )
    counts = {code: {k: 0 for k in COLORS} for code in ("31302", "31329")}
    for f in QgsVectorLayer(str(status), "s", "ogr").getFeatures():
        counts[f["muni_code"]][f["status"]] += 1
    assert all(sum(c.values()) > 40 for c in counts.values())
    res = run_alg(
        "kaigo:exportmap",
        {
            "INPUT": str(status),
            "MUNI_CODES": "31329,31302",
            "TITLE": "{muni}の空白地域",
            "OUTPUT_FOLDER": str(tmp_path / "o"),
        },
    )
    assert sorted(res["MAPS"]) == ["31302", "31329"]
    for code in ("31302", "31329"):
        got = res["COUNTS"][code]
        assert {k: got[k] for k in COLORS} == counts[code]
        assert _color_counts(res["MAPS"][code])["blank"] > 0


def test_qgis_process_headless(daito, tmp_path, sample_data):
    path, _counts = daito
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [
            str(ROOT / "scripts" / "qgis_process.sh"),
            "--json",
            "run",
            "kaigo:exportmap",
            "--",
            f"INPUT={path}",
            f"RESOURCES={sample_data / 'osm-2014' / 'convenience_osaka.geojson'}",
            "LANGUAGE=1",
            f"OUTPUT_FOLDER={tmp_path}",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert out["results"]["N_MAPS"] == 1
    assert (tmp_path / "map_27218.png").stat().st_size > 100_000
    assert (tmp_path / "map_27218.pdf").read_bytes().startswith(b"%PDF")


def test_chome_as_points(run_alg, daito, tmp_path):
    """Representative points instead of polygons: coloured dots, no outline, same counts."""
    path, counts = daito
    points = run_alg("native:pointonsurface", {"INPUT": path, "ALL_PARTS": False, "OUTPUT": "memory:"})[
        "OUTPUT"
    ]
    res = run_alg("kaigo:exportmap", {"INPUT": points, "LANGUAGE": 1, "OUTPUT_FOLDER": str(tmp_path)})
    got = res["COUNTS"]["27218"]
    assert {k: got[k] for k in COLORS} == counts
    colors = _color_counts(res["MAPS"]["27218"], step=2)
    assert colors["blank"] > 0 and colors["covered"] > 0 and colors["no_population"] > 0, colors


def test_map_text_outside_labels_wraps_every_character_and_fits_its_box(plugin):
    """The SVG text used where QGIS 3.22 refuses a label (off the main thread): every character kept,
    Japanese broken between characters, explicit line breaks kept, too much text made smaller."""
    from qgis.PyQt.QtGui import QFont, QFontMetricsF

    from kaigo_resource_plugin.algorithms import layout_text
    from kaigo_resource_plugin.core.fonts import find_cjk_font

    font = find_cjk_font()
    family = font.family if font is not None else QFont().defaultFamily()
    text = "町丁・字 124（空白 79・資源あり 38・人口なし 7）\n※赤色は代表地点から半径500m以内に資源のない町丁・字、ピンは資源の位置を示す。"
    svg, lines, size = layout_text.text_svg(text, 73, 38, 8, family)
    assert size == 8  # it fits: not made smaller
    assert "".join(lines).replace(" ", "") == text.replace("\n", "").replace(" ", "")
    assert lines[0] == "町丁・字 124（空白 79・資源あり 38・人口なし 7）"  # the break after the summary stays
    assert len(lines) >= 3  # the note is wrapped inside 73 mm
    qfont = layout_text._font(family, size, False)
    widest = max(QFontMetricsF(qfont).horizontalAdvance(line) for line in lines)
    assert widest <= 73 * layout_text.UNITS_PER_MM
    assert svg.count("<text ") == len(lines)
    # ten times the text in the same box: smaller type, still every character
    _svg, lines, size = layout_text.text_svg(" ".join([text] * 10), 73, 38, 8, family)
    assert size < 8
    assert "".join(lines).count("赤色") == 10
    assert layout_text.labels_work_here()  # the main thread: kaigo:exportmap itself keeps real labels
