"""A local HTTP server on 127.0.0.1 that answers like e-Stat, the Overpass API and 国土数値情報, from the
repository's own copies of real files (sample_data/). No test touches the network: the plugin is pointed
here with KAIGO_ESTAT_URL, KAIGO_OVERPASS_URL and KAIGO_KSJ_URL.

URLs: http://127.0.0.1:<port>/<mode>/estat, /<mode>/overpass, /<mode>/ksj. ``mode`` chooses the behaviour:
ok (real-format answers), noshp (a zip without a shapefile), badtable (a zip whose table is not T001082),
html (an HTML error page instead of the file), e500 / e404 (HTTP errors), remark (an Overpass runtime-error
remark), slow (no answer for a few seconds), drip (the answer a few bytes at a time, for cancel).
"""

from __future__ import annotations

import email.utils
import io
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus, urlsplit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_data"
DAITO = SAMPLE / "daito-27218" / "chome"
OSAKA_AGES = SAMPLE / "osaka-2020-ages" / "tblT001082C27.csv"
OSM = SAMPLE / "osm-2014"
LAST_MODIFIED = email.utils.formatdate(1_764_547_200, usegmt=True)  # 2025-12-01


def estat_boundary_zip(version: int = 0) -> bytes:
    """e-Stat's layout: r2ka{code}.shp/.dbf/.shx/.prj at the top, CP932, no .cpg (大東市's real files)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for ext in (".shp", ".dbf", ".shx", ".prj"):
            zf.writestr(f"r2ka27218{ext}", (DAITO.parent / f"chome{ext}").read_bytes())
        if version:
            zf.comment = f"version {version}".encode()  # a changed file on the server: other size
    return buf.getvalue()


def estat_ages_zip(pref: str = "27") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"tblT001082C{pref}.txt", OSAKA_AGES.read_bytes())
    return buf.getvalue()


def zip_without_shapefile() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("r2ka27218.dbf", (DAITO.parent / "chome.dbf").read_bytes())
        zf.writestr("README.pdf", b"%PDF-1.4 placeholder")
    return buf.getvalue()


def zip_with_other_table() -> bytes:
    """A table in another layout: T000849-like codes where T001082 is expected."""
    buf = io.BytesIO()
    text = "KEY_CODE,HYOSYO,CITYNAME,NAME,T000849001,T000849002\r\n,,,,総数,男\r\n27218,1,大東市,,119367,57788\r\n"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("tblT001082C27.txt", text.encode("cp932"))
    return buf.getvalue()


def ksj_zip(tmpdir: Path) -> bytes:
    """国土数値情報-like zip (P04 layout: a folder with a CP932 shapefile, P04_002 = name), built with OGR
    from the OSM 2014 library points of the repository (so the names are real facilities)."""
    from osgeo import gdal, ogr, osr

    gdal.UseExceptions()
    src = json.loads((OSM / "library_osaka.geojson").read_text(encoding="utf-8"))
    folder = tmpdir / "P04-20_27_GML"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "P04-20_27.shp"
    drv = ogr.GetDriverByName("ESRI Shapefile")
    ds = drv.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(6668)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    layer = ds.CreateLayer("P04-20_27", srs, ogr.wkbPoint, options=["ENCODING=CP932"])
    layer.CreateField(ogr.FieldDefn("P04_001", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("P04_002", ogr.OFTString))
    for feat in src["features"]:
        lon, lat = feat["geometry"]["coordinates"]
        f = ogr.Feature(layer.GetLayerDefn())
        f.SetField("P04_001", "9")
        f.SetField("P04_002", feat["properties"].get("name") or "")
        f.SetGeometry(ogr.CreateGeometryFromWkt(f"POINT ({lon} {lat})"))
        layer.CreateFeature(f)
    ds = None
    (folder / "P04-20_27.cpg").unlink(missing_ok=True)  # like the real files: no .cpg
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, f"P04-20_27_GML/{p.name}")
        zf.writestr("KS-META-P04-20_27.xml", "<meta/>")
    return buf.getvalue()


def overpass_answer(query: str, remark: str | None = None) -> bytes:
    """Overpass JSON for the query's bounding box and tags, from the OSM 2014 points of the repository:
    convenience stores (shop=convenience) and libraries (amenity=library); every fifth one is a way
    with a centre, as Overpass gives buildings mapped as areas."""
    import re

    boxes = re.findall(r"\(([-\d.]+),([-\d.]+),([-\d.]+),([-\d.]+)\)", query)
    s, w, n, e = (float(v) for v in boxes[0]) if boxes else (-90.0, -180.0, 90.0, 180.0)
    sources = []
    if '"shop"' in query and "convenience" in query:
        sources.append(("convenience_osaka.geojson", "shop", "convenience", 1_000_000))
    if '"amenity"' in query and "library" in query:
        sources.append(("library_osaka.geojson", "amenity", "library", 2_000_000))
    elements = []
    for name, key, value, base in sources:
        feats = json.loads((OSM / name).read_text(encoding="utf-8"))["features"]
        for i, feat in enumerate(feats):
            lon, lat = feat["geometry"]["coordinates"]
            if not (s <= lat <= n and w <= lon <= e):
                continue
            tags = {key: value}
            if feat["properties"].get("name"):
                tags["name"] = feat["properties"]["name"]
            if i % 5 == 4:
                elements.append(
                    {
                        "type": "way",
                        "id": base + i,
                        "center": {"lat": lat, "lon": lon},
                        "nodes": [1, 2, 3, 1],
                        "tags": tags,
                    }
                )
            else:
                elements.append({"type": "node", "id": base + i, "lat": lat, "lon": lon, "tags": tags})
    doc = {
        "version": 0.6,
        "generator": "Overpass API (local test server)",
        "osm3s": {
            "timestamp_osm_base": "2014-01-01T00:00:00Z",
            "copyright": "The data included in this document is from www.openstreetmap.org. The data is made available under ODbL.",
        },
        "elements": elements,
    }
    if remark:
        doc["remark"] = remark
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


class Server:
    def __init__(self, tmpdir: Path):
        self.tmpdir = tmpdir
        self.requests: list[tuple[str, str, str]] = []  # (method, mode/source, query or body)
        self.boundary_version = 0
        self.ksj = ksj_zip(tmpdir / "ksj-build")
        self.lock = threading.Lock()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self.thread.start()

    def url(self, mode: str, source: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/{source}"

    def count(self, method: str | None = None, contains: str = "") -> int:
        with self.lock:
            return sum(1 for m, _s, q in self.requests if (method is None or m == method) and contains in q)

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
        self.boundary_version = 0

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _answer(self, head_only: bool):
                parts = urlsplit(self.path)
                segs = [s for s in parts.path.split("/") if s]
                mode, source = (segs + ["", ""])[:2]
                body_in = b""
                if self.command == "POST":
                    body_in = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                query = parts.query if self.command != "POST" else unquote_plus(body_in.decode("ascii"))
                with server.lock:
                    server.requests.append((self.command, f"{mode}/{source}", query + " " + parts.path))
                if mode == "slow":
                    time.sleep(4)
                if mode in ("e500", "e404"):
                    return self._send(int(mode[1:]), b"<html>error</html>", "text/html", head_only)
                if mode == "html":
                    return self._send(
                        200, b"<!DOCTYPE html><html><body>maintenance</body></html>", "text/html", head_only
                    )
                if source == "estat":
                    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    if q.get("statsId") == "T001082":
                        data = (
                            zip_with_other_table()
                            if mode == "badtable"
                            else estat_ages_zip(q.get("code", "27"))
                        )
                        return self._send(
                            200, data, "application/zip", head_only, f"tblT001082C{q.get('code')}.zip"
                        )
                    if q.get("dlserveyId") == "A002005212020" and q.get("code") == "27218":
                        data = (
                            zip_without_shapefile()
                            if mode == "noshp"
                            else estat_boundary_zip(server.boundary_version)
                        )
                        return self._send(
                            200,
                            data,
                            "application/zip",
                            head_only,
                            "A002005212020DDSWC27218.zip",
                            drip=mode == "drip",
                        )
                    return self._send(404, b"not found", "text/plain", head_only)
                if source == "overpass":
                    text = query[5:] if query.startswith("data=") else query
                    remark = (
                        'runtime error: Query timed out in "query" at line 3 after 121 seconds.'
                        if mode == "remark"
                        else None
                    )
                    return self._send(200, overpass_answer(text, remark), "application/json", head_only)
                if source == "ksj" and parts.path.endswith("/P04/P04-20/P04-20_27_GML.zip"):
                    return self._send(200, server.ksj, "application/zip", head_only, "P04-20_27_GML.zip")
                return self._send(404, b"not found", "text/plain", head_only)

            def _send(self, status, data, ctype, head_only, filename=None, drip=False):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(data)))
                    self.send_header("Last-Modified", LAST_MODIFIED)
                    if filename:
                        self.send_header("Content-Disposition", f'attachment; filename="{filename}"')
                    self.end_headers()
                    if head_only:
                        return
                    if drip:  # 64 bytes every 50 ms, at most 10 s: long enough to cancel, bounded
                        end = time.monotonic() + 10
                        for i in range(0, len(data), 64):
                            self.wfile.write(data[i : i + 64])
                            self.wfile.flush()
                            time.sleep(0.05)
                            if time.monotonic() > end:
                                break
                        return
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):  # noqa: N802
                self._answer(False)

            def do_POST(self):  # noqa: N802
                self._answer(False)

            def do_HEAD(self):  # noqa: N802
                self._answer(True)

        return Handler
