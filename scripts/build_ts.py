"""Builds kaigo_resource_plugin/i18n/kaigo_resource_plugin_ja.ts from the per-module translation tables
kaigo_resource_plugin/i18n/ja/*.tsv (context<TAB>English source<TAB>Japanese), and lists the tr() strings of
the sources that have no translation (--check exits 1 when any is missing or the .ts is stale)."""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "kaigo_resource_plugin"
TS = PKG / "i18n" / "kaigo_resource_plugin_ja.ts"
TSV_DIR = PKG / "i18n" / "ja"


def read_tables() -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for path in sorted(TSV_DIR.glob("*.tsv")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 3:
                raise SystemExit(f"{path}:{n}: expected 3 tab-separated columns")
            context, source, translation = (p.replace("\\n", "\n") for p in parts)
            table[(context, source)] = translation
    return table


def source_strings() -> set[tuple[str, str]]:
    """(context, text) of every tr("literal") / translate("Context", "literal") call in the package."""
    found: set[tuple[str, str]] = set()
    for path in sorted(PKG.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        _visit(tree, None, found)
    return found


def _visit(node: ast.AST, cls: str | None, found: set[tuple[str, str]]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            _visit(child, child.name, found)
            continue
        if isinstance(child, ast.Assign) and cls and isinstance(child.value, ast.Constant):
            # class constants translated by the base class: DISPLAY_NAME (own context), GROUP (shared)
            targets = [t.id for t in child.targets if isinstance(t, ast.Name)]
            if "DISPLAY_NAME" in targets and child.value.value:
                found.add((cls, child.value.value))
            if "GROUP" in targets and child.value.value:
                found.add(("KaigoAlgorithm", child.value.value))
        if isinstance(child, ast.Assign) and cls is None and isinstance(child.value, ast.Dict):
            # module-level GROUPS = {"id": "English name"} of algorithms/base.py
            targets = [t.id for t in child.targets if isinstance(t, ast.Name)]
            if "GROUPS" in targets:
                for v in child.value.values:
                    if isinstance(v, ast.Constant) and isinstance(v.value, str):
                        found.add(("KaigoAlgorithm", v.value))
        if isinstance(child, ast.Call):
            func = child.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            args = child.args
            if (
                name == "tr"
                and cls
                and args
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                found.add((cls, args[0].value))
            if (
                name == "translate"
                and len(args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[:2])
            ):
                found.add((args[0].value, args[1].value))
        _visit(child, cls, found)


def render(table: dict[tuple[str, str], str]) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>", '<TS version="2.1" language="ja_JP">']
    contexts: dict[str, list[tuple[str, str]]] = {}
    for (ctx, src), tr in sorted(table.items()):
        contexts.setdefault(ctx, []).append((src, tr))
    for ctx, items in contexts.items():
        out.append("<context>")
        out.append(f"    <name>{escape(ctx)}</name>")
        for src, tr in items:
            out.append("    <message>")
            out.append(f"        <source>{escape(src)}</source>")
            out.append(f"        <translation>{escape(tr)}</translation>")
            out.append("    </message>")
        out.append("</context>")
    out.append("</TS>")
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument(
        "--check", action="store_true", help="fail when a string lacks a translation or .ts is stale"
    )
    args = ap.parse_args()
    table = read_tables()
    missing = sorted(source_strings() - set(table))
    text = render(table)
    if args.check:
        stale = not TS.exists() or TS.read_text(encoding="utf-8") != text
        for ctx, src in missing:
            print(f"missing ja translation: [{ctx}] {src!r}")
        if stale:
            print(f"{TS.relative_to(ROOT)} is out of date: run `make transcompile`")
        return 1 if (missing or stale) else 0
    TS.write_text(text, encoding="utf-8")
    for ctx, src in missing:
        print(f"warning: missing ja translation: [{ctx}] {src!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
