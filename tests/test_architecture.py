"""The tree keeps its shape: imports point one way; what the code imports is declared and locked.

The import contracts live in pyproject.toml (`[tool.importlinter]`); `lint-imports` checks every
import, those inside functions included.
"""

import ast
import subprocess
import sys
import tomllib
from functools import cache
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
OWN_PACKAGES = {"resync", "api", "tasks", "graphs", "flows", "dashboards", "benchmarks", "tests"}
RUNTIME_FOLDERS = ("resync", "api", "tasks", "graphs", "flows", "dashboards", "migrations")


def requirements(*extras: str) -> list[Requirement]:
    declared = PROJECT["dependencies"] + [
        d for e in extras for d in PROJECT["optional-dependencies"][e]
    ]
    return [Requirement(line) for line in declared]


@cache
def module_files(name: str) -> frozenset[str]:
    """The module paths (`a/b/c`) a distribution installs."""
    files = distribution(name).files or []
    return frozenset(str(file.with_suffix("")).removesuffix("/__init__") for file in files)


def providing_distribution(module: str, providers: dict[str, list[str]]) -> str:
    """The distribution that installs `module`; a namespace (langgraph.*) is split by its files."""
    candidates = providers.get(module.split(".")[0], [module.split(".")[0]])
    parts = module.split(".")
    for depth in range(len(parts), 0, -1):
        path = "/".join(parts[:depth])
        owners = [c for c in candidates if len(candidates) == 1 or path in module_files(c)]
        if owners:
            return canonicalize_name(owners[0])
    return canonicalize_name(candidates[0])


def imported_distributions(folders: tuple[str, ...]) -> dict[str, set[str]]:
    """Distribution → the files importing it, for every third-party import in `folders`."""
    providers = packages_distributions()
    found: dict[str, set[str]] = {}
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    if top in sys.stdlib_module_names or top in OWN_PACKAGES:
                        continue
                    found.setdefault(providing_distribution(name, providers), set()).add(
                        str(path.relative_to(ROOT))
                    )
    return found


def undeclared(folders: tuple[str, ...], declared: list[Requirement]) -> dict[str, set[str]]:
    names = {canonicalize_name(requirement.name) for requirement in declared}
    return {d: files for d, files in imported_distributions(folders).items() if d not in names}


def test_import_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_runtime_code_imports_only_declared_dependencies() -> None:
    assert undeclared(RUNTIME_FOLDERS, requirements()) == {}


def test_tests_and_benchmarks_import_only_declared_dependencies() -> None:
    declared = requirements("dev", "bench")
    assert undeclared(("tests", "benchmarks"), declared) == {}


def test_every_runtime_dependency_has_a_lower_bound() -> None:
    unbounded = [
        str(r) for r in requirements() if not any(s.operator in (">=", "==") for s in r.specifier)
    ]
    assert unbounded == []


def test_the_lock_pins_every_declared_dependency_within_its_bounds() -> None:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            requirement = Requirement(line)
            (pinned,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = pinned.version
    outside = {
        str(r): pins.get(canonicalize_name(r.name))
        for r in requirements("dev", "bench")
        if pins.get(canonicalize_name(r.name)) not in r.specifier
    }
    assert outside == {}
