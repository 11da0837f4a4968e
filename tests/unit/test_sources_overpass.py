"""core.sources (URLs, overrides, Overpass QL), core.overpass (JSON → points), core.downloads (cache, zips)."""

from __future__ import annotations

import json
import os
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest

from kaigo_resource_plugin.core import downloads, overpass, sources
from kaigo_resource_plugin.core.errors import InputError

# ---------------------------------------------------------------------------------------------------
# sources


def test_estat_urls_follow_spec_patterns():
    url = sources.estat_boundary_url("27218", 2020)
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://www.e-stat.go.jp/gis/statmap-search/data"
    )
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q == {
        "dlserveyId": "A002005212020",
        "code": "27218",
        "coordSys": "1",
        "format": "shape",
        "downloadType": "5",
        "datum": "2011",
    }
    q15 = parse_qs(urlsplit(sources.estat_boundary_url("31201", 2015)).query)
    assert q15["dlserveyId"] == ["A002005212015"] and q15["datum"] == ["2011"]
    ages = parse_qs(urlsplit(sources.estat_ages_url("27")).query)
    assert ages == {"statsId": ["T001082"], "code": ["27"], "downloadType": ["2"]}
    assert sources.estat_ages_url("5").endswith("code=05&downloadType=2")
    for bad in ("2721", "272180", "abcde"):
        with pytest.raises(ValueError):
            sources.estat_boundary_url(bad)
    with pytest.raises(ValueError):
        sources.estat_boundary_url("27218", 2010)
    with pytest.raises(ValueError):
        sources.estat_ages_url("48")


def test_base_urls_env_beats_setting_beats_default():
    settings = {sources.SETTING_KEYS["estat"]: "http://mirror.example/estat"}
    assert sources.base_url("estat", None, {}) == sources.DEFAULT_URLS["estat"]
    assert sources.base_url("estat", settings, {}) == "http://mirror.example/estat"
    env = {"KAIGO_ESTAT_URL": "http://127.0.0.1:9/e?"}
    assert sources.base_url("estat", settings, env) == "http://127.0.0.1:9/e"
    assert sources.url_origin("estat", settings, env) == "env KAIGO_ESTAT_URL"
    assert sources.url_origin("estat", settings, {}).startswith("setting ")
    assert sources.url_origin("ksj", settings, {}) == "default"
    # a base that already has a query string gets '&'
    assert sources.estat_boundary_url("27218", base="http://h/p?key=1").startswith(
        "http://h/p?key=1&dlserveyId="
    )
    assert sources.base_url("overpass", None, {"KAIGO_OVERPASS_URL": "http://o/api"}) == "http://o/api"
    assert sources.base_url("ksj", None, {"KAIGO_KSJ_URL": "http://k/"}) == "http://k/"
    with pytest.raises(KeyError):
        sources.base_url("nope")


def test_timeout_setting():
    assert sources.timeout_seconds(None, {}) == sources.DEFAULT_TIMEOUT_S
    assert sources.timeout_seconds({sources.TIMEOUT_SETTING: "30"}, {}) == 30
    assert sources.timeout_seconds({sources.TIMEOUT_SETTING: "30"}, {"KAIGO_NETWORK_TIMEOUT": "2.5"}) == 2.5
    assert sources.timeout_seconds(None, {"KAIGO_NETWORK_TIMEOUT": "-1"}) == sources.DEFAULT_TIMEOUT_S


def test_ksj_url_pattern():
    assert (
        sources.ksj_url("P04", "27") == "https://nlftp.mlit.go.jp/ksj/gml/data/P04/P04-20/P04-20_27_GML.zip"
    )
    assert sources.ksj_url("p14", "1", base="http://k/") == "http://k/P14/P14-21/P14-21_01_GML.zip"
    assert sources.ksj_url("P05", "13", yy="18").endswith("/P05/P05-18/P05-18_13_GML.zip")
    with pytest.raises(KeyError):
        sources.ksj_url("N03", "27")


def test_tag_lists_parse_and_default_types():
    assert [t.key for t in sources.RESOURCE_TYPES] == ["shopping", "sports", "leisure", "public"]
    shop = sources.parse_tags(sources.RESOURCE_TYPES[0].tags)
    assert shop == [
        (
            "shop",
            [
                "supermarket",
                "convenience",
                "chemist",
                "department_store",
                "greengrocer",
                "butcher",
                "seafood",
                "general",
            ],
        )
    ]
    assert sources.parse_tags(" shop = bakery | deli ; amenity=marketplace\nhealthcare") == [
        ("shop", ["bakery", "deli"]),
        ("amenity", ["marketplace"]),
        ("healthcare", []),
    ]
    assert sources.parse_tags("shop=*") == [("shop", [])]
    for bad in ("", 'shop=a"b', "sh op=a", "=x"):
        with pytest.raises(ValueError):
            sources.parse_tags(bad)


def test_overpass_query_text():
    q = sources.overpass_query(
        [("shop", ["convenience", "supermarket"]), ("amenity", [])], (34.6, 135.5, 34.8, 135.7)
    )
    assert q.startswith("[out:json][timeout:120];")
    assert 'nwr["shop"~"^(convenience|supermarket)$"](34.6000000,135.5000000,34.8000000,135.7000000);' in q
    assert 'nwr["amenity"](34.6000000,135.5000000,34.8000000,135.7000000);' in q
    assert q.rstrip().endswith("out center tags;")
    with pytest.raises(ValueError):
        sources.overpass_query([("shop", [])], (35, 135, 34, 136))  # south above north


# ---------------------------------------------------------------------------------------------------
# overpass


WANTED = [("shop", ["convenience", "supermarket"]), ("amenity", ["library"])]


def _answer(elements, remark=None):
    doc = {
        "version": 0.6,
        "generator": "Overpass API test",
        "osm3s": {"timestamp_osm_base": "2026-11-30T00:00:00Z"},
    }
    doc["elements"] = elements
    if remark:
        doc["remark"] = remark
    return json.dumps(doc).encode()


def test_nodes_ways_and_relations_become_points():
    els = [
        {"type": "node", "id": 1, "lat": 34.7, "lon": 135.6, "tags": {"shop": "convenience", "name": "A"}},
        {"type": "way", "id": 2, "center": {"lat": 34.71, "lon": 135.61}, "tags": {"shop": "supermarket"}},
        {
            "type": "relation",
            "id": 3,
            "center": {"lat": 34.72, "lon": 135.62},
            "tags": {"amenity": "library", "name": "B"},
        },
        {"type": "way", "id": 4, "tags": {"shop": "convenience"}},  # no centre: skipped, counted
        {"type": "node", "id": 5, "lat": 34.7, "lon": 135.6, "tags": {"shop": "bakery"}},  # not asked for
        {"type": "node", "id": 1, "lat": 34.7, "lon": 135.6, "tags": {"shop": "convenience"}},  # duplicate
        {"type": "node", "id": 6, "lat": 34.7, "lon": 135.6, "tags": {"shop": "bakery;supermarket"}},
    ]
    res = overpass.parse(_answer(els), WANTED)
    got = [(p.osm_ref, p.lon, p.lat, p.name, p.tag) for p in res.points]
    assert got == [
        ("node/1", 135.6, 34.7, "A", "shop=convenience"),
        ("way/2", 135.61, 34.71, None, "shop=supermarket"),
        ("relation/3", 135.62, 34.72, "B", "amenity=library"),
        ("node/6", 135.6, 34.7, None, "shop=supermarket"),
    ]
    assert res.skipped_no_position == 1
    assert res.timestamp == "2026-11-30T00:00:00Z"


def test_runtime_error_remark_and_non_json_are_refused():
    with pytest.raises(InputError) as err:
        overpass.parse(
            _answer(
                [{"type": "node", "id": 1, "lat": 1, "lon": 2, "tags": {"shop": "convenience"}}],
                remark='runtime error: Query timed out in "query" at line 3 after 121 seconds.',
            ),
            WANTED,
        )
    assert "Query timed out" in err.value.ja and "EXTENT" in err.value.en
    with pytest.raises(InputError) as err:
        overpass.parse(b"<html><body>504 Gateway Timeout</body></html>", WANTED)
    assert "JSON" in err.value.en and "KAIGO_OVERPASS_URL" in err.value.en
    with pytest.raises(InputError):
        overpass.parse(b'{"version": 0.6}', WANTED)
    # a remark that is not an error (e.g. a notice) does not stop the run
    assert len(overpass.parse(_answer([], remark="note: nothing"), WANTED).points) == 0


# ---------------------------------------------------------------------------------------------------
# downloads: cache and zips


def test_cache_entry_roundtrip_and_change_detection(tmp_path):
    f = tmp_path / "estat-boundary-2020-27218.zip"
    f.write_bytes(b"x" * 10)
    entry = downloads.CacheEntry(
        "http://h/a", 10, "Tue, 01 Dec 2026 00:00:00 GMT", '"e1"', downloads.now_iso()
    )
    downloads.write_entry(str(f), entry)
    assert downloads.read_entry(str(f)) == entry
    assert (
        downloads.server_changed(entry, {"content-length": "10", "Last-Modified": entry.last_modified})
        is False
    )
    assert downloads.server_changed(entry, {"Content-Length": "11"}) is True
    assert downloads.server_changed(entry, {"Last-Modified": "Wed, 02 Dec 2026 00:00:00 GMT"}) is True
    assert downloads.server_changed(entry, {"ETag": '"e2"', "Content-Length": "10"}) is True
    assert downloads.server_changed(entry, {}) is None  # the server says nothing: keep the file
    f.write_bytes(b"x" * 5)  # cut short (a crash while copying): not a cache hit
    assert downloads.read_entry(str(f)) is None
    assert downloads.read_entry(str(tmp_path / "none.zip")) is None
    (tmp_path / "mine.txt").write_text("keep")
    assert downloads.clear_cache(str(tmp_path)) == 2 and sorted(os.listdir(tmp_path)) == ["mine.txt"]


def test_content_disposition_names():
    assert downloads.disposition_name(
        {"Content-Disposition": 'attachment; filename="A002005212020DDSWC27218.zip"'}
    ) == ("A002005212020DDSWC27218.zip")
    assert (
        downloads.disposition_name({"content-disposition": "attachment; filename*=UTF-8''%E5%A4%A7.zip"})
        == "大.zip"
    )
    assert downloads.disposition_name({}) is None


def test_zip_inspection(tmp_path):
    z = tmp_path / "a.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in (".shp", ".dbf", ".shx", ".prj"):
            zf.writestr(f"dir/r2ka27218{ext}", b"1")
        zf.writestr("lonely.shp", b"1")  # no .dbf/.shx: not a shapefile
        zf.writestr("tblT001082C27.txt", b"t")
        zf.writestr("readme.csv", b"r")
    c = downloads.inspect_zip(str(z))
    assert c.shapefiles == ["dir/r2ka27218.shp"]
    assert downloads.require_table(c, "x", "tblT001082C27") == "tblT001082C27.txt"
    with pytest.raises(InputError):
        downloads.require_table(c, "x", "other")  # two tables, none named so
    shp = downloads.extract_shapefile(str(z), c.shapefiles[0], str(tmp_path / "out"))
    assert shp == str(tmp_path / "out" / "r2ka27218.shp")
    assert sorted(os.listdir(tmp_path / "out")) == [
        "r2ka27218.dbf",
        "r2ka27218.prj",
        "r2ka27218.shp",
        "r2ka27218.shx",
    ]

    empty = tmp_path / "b.zip"
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("only.pdf", b"%PDF")
    with pytest.raises(InputError) as err:
        downloads.require_shapefile(downloads.inspect_zip(str(empty)), "e-Stat 27218")
    assert "only.pdf" in err.value.ja and "no shapefile" in err.value.en

    html = tmp_path / "c.zip"
    html.write_bytes(b"<!DOCTYPE html><html>maintenance</html>")
    with pytest.raises(InputError) as err:
        downloads.inspect_zip(str(html), "e-Stat")
    assert "HTML" in err.value.ja and "HTML page" in err.value.en


def test_extract_never_leaves_the_folder(tmp_path):
    z = tmp_path / "evil.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("../../escape.txt", b"x")
    out = downloads.extract(str(z), ["../../escape.txt"], str(tmp_path / "dest"))
    assert out == [str(tmp_path / "dest" / "escape.txt")]
    assert not (tmp_path.parent / "escape.txt").exists()
