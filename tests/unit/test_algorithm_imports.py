"""No module of algorithms/ imports an algorithm's module: shared glue lives in modules of its own."""

import ast
from pathlib import Path

from kaigo_resource_plugin.algorithms import ALGORITHM_MODULES

ALGORITHMS = Path(__file__).resolve().parents[2] / "kaigo_resource_plugin" / "algorithms"


def _imported_modules(path: Path) -> set[str]:
    """Names of the sibling modules that ``path`` imports (relative imports of algorithms/)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(alias.name for alias in node.names)
            elif node.level == 2 and node.module and node.module.startswith("algorithms."):
                found.add(node.module.split(".")[1])
    return found


def test_no_algorithm_module_is_imported_by_another_module_of_algorithms():
    algorithm_modules = {name for name, _cls in ALGORITHM_MODULES}
    offending = []
    for path in sorted(ALGORITHMS.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for module in sorted(_imported_modules(path) & algorithm_modules):
            offending.append(f"{path.name} imports {module}")
    assert offending == []


def test_the_layer_io_shim_is_gone():
    assert not (ALGORITHMS / "layer_io.py").exists()
