"""Every Qt module, class and enum member the given Python files name must exist in PyQt6.

Run with a Python that has PyQt6 (and no QGIS): ``python qt6_names.py FILE_OR_FOLDER ...``.
Reads the files with ``ast`` (nothing is imported from them) and checks:
  - ``from qgis.PyQt.QtX import A`` / ``from qgis.PyQt import QtX``: PyQt6.QtX exists and has A;
  - every attribute chain rooted at such a name (``Qt.AlignmentFlag.AlignLeft``,
    ``QSizePolicy.Policy.Expanding``, ``QHeaderView.ResizeMode.Stretch`` …) resolves in PyQt6, so an
    unscoped enum member (``Qt.AlignLeft``) or a removed method (``exec_``) is reported;
  - Qt is imported only through ``qgis.PyQt`` (never PyQt5/PyQt6 directly).
An import inside ``try:`` whose ``except ImportError`` imports or assigns the same name is an alternative
(``QAction`` from QtGui on Qt6, from QtWidgets on Qt5): one of them has to exist.
Files named ``compat.py`` may name Qt5-only members (QVariant.Int …) on their Qt5 side: they hold the
version differences. Prints one line per problem, ``checked N files, M names`` at the end; exit status 1
when a problem was found.
"""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

PREFIX = "qgis.PyQt"
FALLBACK = frozenset({"<fallback>"})


def _pyqt6_module(module: str):
    """PyQt6 module for "qgis.PyQt.QtCore" (None when PyQt6 has no such module)."""
    sub = module[len(PREFIX) :].lstrip(".")
    try:
        return importlib.import_module(f"PyQt6.{sub}" if sub else "PyQt6")
    except ImportError:
        return None


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    t = handler.type
    names = []
    if t is None:
        return True
    for n in t.elts if isinstance(t, ast.Tuple) else [t]:
        if isinstance(n, ast.Name):
            names.append(n.id)
    return bool({"ImportError", "ModuleNotFoundError", "Exception"} & set(names))


def _bound_names(nodes) -> set[str]:
    out: set[str] = set()
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.ImportFrom):
                out.update(a.asname or a.name for a in sub.names)
            elif isinstance(sub, ast.Assign):
                for t in sub.targets:
                    if isinstance(t, ast.Name):
                        out.add(t.id)
    return out


def _chain(node: ast.Attribute):
    """("Qt", ["AlignmentFlag", "AlignLeft"]) for Qt.AlignmentFlag.AlignLeft; None if not rooted at a Name."""
    attrs = []
    while isinstance(node, ast.Attribute):
        attrs.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return node.id, attrs[::-1]


def check_file(path: Path) -> tuple[list[str], int]:
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text, filename=str(path))
    is_compat = path.name == "compat.py"
    problems: list[str] = []
    n_names = 0
    parents: dict[ast.AST, ast.AST] = {}
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            parents[child] = parent

    def guard_of(node):
        """Names that the except ImportError branches around ``node`` bind (alternatives), or None.

        An import inside such an except branch is the Qt5 fallback of the try body: FALLBACK."""
        child, cur = node, parents.get(node)
        while cur is not None:
            if isinstance(cur, ast.ExceptHandler) and _catches_import_error(cur):
                return FALLBACK
            if isinstance(cur, ast.Try) and child in cur.body:
                handlers = [h for h in cur.handlers if _catches_import_error(h)]
                if handlers:
                    return _bound_names(handlers)
            child, cur = cur, parents.get(cur)
        return None

    local: dict[str, object] = {}  # local name -> the PyQt6 object it stands for
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module
            if mod.split(".")[0] in ("PyQt5", "PyQt6", "PySide2", "PySide6"):
                problems.append(f"{path}:{node.lineno}: import Qt through qgis.PyQt, not {mod}")
                continue
            if not (mod == PREFIX or mod.startswith(PREFIX + ".")):
                continue
            guard = guard_of(node)
            target = _pyqt6_module(mod)
            for alias in node.names:
                n_names += 1
                name = alias.asname or alias.name
                if mod == PREFIX:  # from qgis.PyQt import QtCore
                    obj = _pyqt6_module(f"{PREFIX}.{alias.name}")
                else:
                    obj = getattr(target, alias.name, None) if target is not None else None
                if obj is None:
                    if guard is FALLBACK or (guard is not None and name in guard):
                        continue  # the try body (or its except branch) has the Qt6 spelling
                    where = f"PyQt6.{mod[len(PREFIX) + 1 :]}" if mod != PREFIX else "PyQt6"
                    problems.append(f"{path}:{node.lineno}: {where} has no {alias.name}")
                    continue
                local[name] = obj
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("PyQt5", "PyQt6", "PySide2", "PySide6"):
                    problems.append(f"{path}:{node.lineno}: import Qt through qgis.PyQt, not {alias.name}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute) or isinstance(parents.get(node), ast.Attribute):
            continue  # only whole chains
        got = _chain(node)
        if got is None or got[0] not in local:
            continue
        root, attrs = got
        obj = local[root]
        n_names += 1
        for i, attr in enumerate(attrs):
            if not hasattr(obj, attr):
                if is_compat:
                    break
                dotted = ".".join([root, *attrs[: i + 1]])
                hint = ""
                enum_names = (
                    [
                        k
                        for k, v in vars(obj).items()
                        if isinstance(v, type) and hasattr(v, "__members__") and attr in v.__members__
                    ]
                    if isinstance(obj, type)
                    else []
                )
                if enum_names:
                    hint = f" (scoped: {'.'.join([root, *attrs[:i], enum_names[0], attr])})"
                problems.append(f"{path}:{node.lineno}: {dotted} does not exist in PyQt6{hint}")
                break
            obj = getattr(obj, attr)
    return problems, n_names


def main(argv: list[str]) -> int:
    files: list[Path] = []
    for a in argv:
        p = Path(a)
        files.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    problems: list[str] = []
    n = 0
    for f in files:
        got, k = check_file(f)
        problems += got
        n += k
    for line in problems:
        print(line)
    print(f"checked {len(files)} files, {n} Qt names; {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
