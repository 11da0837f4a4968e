"""Ready for QGIS 4 / Qt6, checked on the QGIS that runs the suite (each version of the matrix).

- Every QGIS and Qt enum member the plugin and its tests name is in the scoped form
  (``QgsWkbTypes.GeometryType.PolygonGeometry``, not ``QgsWkbTypes.PolygonGeometry``), and every name
  chain rooted at a class imported from qgis.core / qgis.gui / qgis.PyQt exists on this QGIS, so the
  scoped spelling is checked to exist on 3.22 as well as on 3.40 and 3.44. ``compat.py`` is exempt: it
  holds the version differences and looks names up by version.
- QVariant is named only in ``compat.py``; no deprecated call (parameterAsFields, writeAsVectorFormat,
  the QgsField constructor with a QVariant type).
The PyQt6 side (names exist in PyQt6, QGIS's migration script changes nothing) is tests/unit/test_qt6.py.
"""

from __future__ import annotations

import ast
import enum
from pathlib import Path

from kaigo_paths import ROOT

PLUGIN = ROOT / "kaigo_resource_plugin"
ROOTS = (
    "qgis.core",
    "qgis.gui",
    "qgis.analysis",
    "qgis.PyQt.QtCore",
    "qgis.PyQt.QtGui",
    "qgis.PyQt.QtWidgets",
)


def _files():
    return sorted(PLUGIN.rglob("*.py")) + sorted((ROOT / "tests").rglob("*.py"))


def _is_enum_class(obj) -> bool:
    if not isinstance(obj, type):
        return False
    if issubclass(obj, enum.Enum):
        return True
    return type(obj).__name__ == "enumtype"  # sip enum (PyQt5, QGIS 3)


def _is_enum_member(obj) -> bool:
    return not isinstance(obj, type) and _is_enum_class(type(obj))


def _imports(tree):
    import importlib

    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ROOTS:
            mod = importlib.import_module(node.module)
            for a in node.names:
                if hasattr(mod, a.name):
                    names[a.asname or a.name] = getattr(mod, a.name)
    return names


def _chains(tree):
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and not isinstance(parents.get(node), ast.Attribute):
            attrs = []
            cur = node
            while isinstance(cur, ast.Attribute):
                attrs.append(cur.attr)
                cur = cur.value
            if isinstance(cur, ast.Name):
                yield node.lineno, cur.id, attrs[::-1]


def unscoped_and_missing(files, root_dir=ROOT):
    """(unscoped enum members, chains that do not exist on this QGIS) as "file:line: name" lines."""
    unscoped, missing = [], []
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _imports(tree)
        rel = path.relative_to(root_dir)
        for line, root, attrs in _chains(tree):
            if root not in names or path.name == "compat.py":
                continue
            obj = names[root]
            prev = None
            for i, attr in enumerate(attrs):
                if not hasattr(obj, attr):
                    missing.append(f"{rel}:{line}: {'.'.join([root, *attrs[: i + 1]])}")
                    break
                prev, obj = obj, getattr(obj, attr)
                if _is_enum_member(obj) and not _is_enum_class(prev) and isinstance(prev, type):
                    # a member straight on its class: QgsWkbTypes.PolygonGeometry, Qt.AlignLeft
                    unscoped.append(
                        f"{rel}:{line}: {'.'.join([root, *attrs[: i + 1]])} ({type(obj).__name__})"
                    )
                    break
                if not isinstance(obj, type):
                    break  # a method, a constant or a member: what follows belongs to the value
    return unscoped, missing


def test_every_enum_member_is_scoped_and_exists_on_this_qgis(qgis_app):
    unscoped, missing = unscoped_and_missing(_files())
    assert unscoped == [], "unscoped enum members (use Class.Enum.Member):\n" + "\n".join(unscoped)
    assert missing == [], "names that do not exist on this QGIS:\n" + "\n".join(missing)


def test_the_check_finds_unscoped_and_missing_names(qgis_app, tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from qgis.core import QgsWkbTypes, QgsUnitTypes, QgsLayoutExporter\n"
        "from qgis.PyQt.QtCore import Qt\n"
        "a = QgsWkbTypes.PolygonGeometry\n"
        "b = QgsUnitTypes.LayoutUnit.LayoutMillimeters\n"
        "c = Qt.AlignLeft\n"
        "d = QgsLayoutExporter.Success == 0\n"
        "e = QgsWkbTypes.GeometryType.NoSuchGeometry\n",
        encoding="utf-8",
    )
    unscoped, missing = unscoped_and_missing([bad], tmp_path)
    assert [u.split(": ")[1].split(" ")[0] for u in unscoped] == [
        "QgsWkbTypes.PolygonGeometry",
        "Qt.AlignLeft",
        "QgsLayoutExporter.Success",
    ]
    assert [m.split(": ")[1] for m in missing] == ["QgsWkbTypes.GeometryType.NoSuchGeometry"]


def _source_lines(files):
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            yield path, n, code


def test_qvariant_only_in_compat():
    """No import, name or attribute QVariant outside compat.py (docstrings may talk about it)."""
    this = Path(__file__).resolve()
    bad = []
    for path in _files():
        if path.name == "compat.py" or path.resolve() == this or path.parent.name == "tools":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = (
                (isinstance(node, ast.Name) and node.id == "QVariant")
                or (isinstance(node, ast.Attribute) and node.attr == "QVariant")
                or (isinstance(node, ast.alias) and "QVariant" in (node.name, node.asname))
            )
            if named:
                bad.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}")
    assert bad == [], "QVariant outside compat.py (use compat.make_field / compat.variant): " + ", ".join(bad)


def test_no_deprecated_calls():
    this = Path(__file__).resolve()
    deprecated = ("parameterAsFields(", "writeAsVectorFormat(", ".setFilters(QgsMapLayerProxyModel")
    bad = [
        f"{p.relative_to(ROOT)}:{n}: {code.strip()}"
        for p, n, code in _source_lines(_files())
        if p.resolve() != this and p.name != "compat.py" and any(d in code for d in deprecated)
    ]
    assert bad == [], "deprecated calls:\n" + "\n".join(bad)
