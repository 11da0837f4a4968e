"""House metrics for issue #14: function lengths and lines per layer.

    python scripts/house_metrics.py            # summary: longest functions, >80 in algorithms/, lines per layer
    python scripts/house_metrics.py --all      # every function, per file
    python scripts/house_metrics.py --over 60  # another threshold

A function's length is its span in the source, `def` line (or first decorator) to its last line, nested
functions included in the outer one and also listed on their own. Pure Python (ast), reads no QGIS.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kaigo_resource_plugin"
LAYERS = ("algorithms", "core", "ui")


def functions(path: Path):
    """(qualified name, first line, length) of every function and method in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                name = f"{prefix}{child.name}"
                out.append((name, first, child.end_lineno - first + 1))
                visit(child, name + ".")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")

    visit(tree, "")
    return out


def layer_lines(layer: str) -> int:
    return sum(
        len(p.read_text(encoding="utf-8").splitlines()) for p in sorted((PACKAGE / layer).glob("*.py"))
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", action="store_true", help="list every function, per file")
    ap.add_argument("--over", type=int, default=80, help="threshold for the 'over' list (default 80)")
    ap.add_argument("--top", type=int, default=15, help="how many of the longest to show (default 15)")
    args = ap.parse_args(argv)

    rows = []
    for layer in LAYERS:
        for path in sorted((PACKAGE / layer).glob("*.py")):
            rel = path.relative_to(PACKAGE).as_posix()
            for name, first, length in functions(path):
                rows.append((rel, name, first, length))

    if args.all:
        current = None
        for rel, name, first, length in rows:
            if rel != current:
                print(rel)
                current = rel
            print(f"  {length:5d}  {name} (line {first})")
        print()

    print(f"longest {args.top} functions (algorithms/, core/, ui/):")
    for rel, name, first, length in sorted(rows, key=lambda r: -r[3])[: args.top]:
        print(f"  {length:5d}  {rel}:{first} {name}")

    for layer in ("algorithms", "ui"):
        over = sorted(
            (r for r in rows if r[0].startswith(layer + "/") and r[3] > args.over), key=lambda r: -r[3]
        )
        print(f"{layer}/ functions over {args.over} lines: {len(over)}")
        for rel, name, first, length in over:
            print(f"  {length:5d}  {rel}:{first} {name}")

    print("lines per layer: " + ", ".join(f"{layer}/ {layer_lines(layer):,}" for layer in LAYERS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
