"""The package's shape: no import cycle, display a leaf, each rung spelled in one table."""

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

import fastkern
from fastkern import _rungs
from fastkern._anatomy.settings import QUICK

#: The source tree (not the installed package, which may sit among other packages).
SRC = Path(__file__).resolve().parents[1] / "src"
#: The anatomy's modules that hold data or display it; rendering a saved report may load
#: these and no other module of the anatomy (none that times, starts threads or processes,
#: or reads /proc).
DISPLAY = {"model", "report", "settings", "render", "check", "findings", "figures",
           "formatting", "derive", "fit", "plot"}


def module_names() -> dict[str, Path]:
    """Every module of the source tree by dotted name (Cython and generated ones included)."""
    found = {}
    for path in [*SRC.rglob("*.py"), *SRC.rglob("*.pyx"), *SRC.rglob("*.py.in")]:
        parts = list(path.relative_to(SRC).parts)
        parts[-1] = parts[-1].split(".")[0]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ``known`` that ``name`` imports, at module level or inside functions
    (imports under ``if TYPE_CHECKING:`` never run, so they are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    checking = {id(node) for top in ast.walk(tree)
                if isinstance(top, ast.If) and ast.unparse(top.test).endswith("TYPE_CHECKING")
                for node in ast.walk(top)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in checking:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([node.module] if node.module else []))
            modules = [f"{base}.{alias.name}" for alias in node.names
                       if f"{base}.{alias.name}" in known]
            found.update(modules)
            if len(modules) < len(node.names):
                found.add(base)
    return {module for module in found if module in known and module != name}


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` as the modules along it, or [] where there is none."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for other in sorted(graph[node]):
            if state.get(other) == 1:
                return path[path.index(other):] + [other]
            if other not in state:
                found = visit(other)
                if found:
                    return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_the_package():
    known = module_names()
    assert {"fastkern", "fastkern._anatomy.ladder", "fastkern._build_info"} <= set(known)
    graph = {name: imports(name, path, set(known)) if path.suffix == ".py" else set()
             for name, path in known.items()}
    assert "fastkern._anatomy.fresh" in graph["fastkern._anatomy.ladder"], "the graph sees imports"
    found = cycle(graph)
    assert not found, "import cycle: " + " -> ".join(found)


def test_rendering_a_saved_report_loads_nothing_that_measures(tmp_path):
    settings = dataclasses.replace(QUICK, ladder_passes=1)
    report = fastkern.anatomy("fib", backends=["python", "c"], threads=(1,), shared=False,
                              settings=settings)
    saved = tmp_path / "saved.json"
    saved.write_text(report.to_json())
    script = ("import sys\nfrom fastkern.__main__ import main\n"
              f"assert main(['report', {str(saved)!r}]) == 0\n"
              "print('MODULES', *sorted(sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=120, check=True)
    assert "The ladder" in result.stdout
    loaded = set(result.stdout.split("MODULES", 1)[1].split())
    anatomy = {name.split(".")[2] for name in loaded if name.startswith("fastkern._anatomy.")}
    assert anatomy <= DISPLAY, f"measuring modules loaded: {sorted(anatomy - DISPLAY)}"
    assert {"fastkern._anatomy.render", "fastkern._anatomy.model"} <= loaded
    assert not {"multiprocessing", "concurrent.futures.process", "subprocess", "fastkern._build"} & loaded


def test_every_rung_name_is_spelled_once_in_the_rung_table():
    names = [rung.name for rung in _rungs.RUNGS]
    assert len(set(names)) == len(names) and names[0] == "python"
    assert fastkern.backends() == [name for name in names if name in fastkern.backends()]
    assert _rungs.LADDER == ("python", "compiled", "bound", "ints", "floats", "annotated", "typed", "c")
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "_rungs.py":
            assert '"python", "compiled"' not in text, f"{path.name} spells the rung order"


#: The service's modules that hold data or display it: a saved service report loads these.
SERVICE_DISPLAY = {"model", "report", "figures", "findings", "render", "plot", "check"}
#: The cluster report's modules that hold data or display it: reading a saved cluster report
#: loads these of ``fastkern._cluster`` and no other (none that starts a cluster or measures).
CLUSTER_DISPLAY = {"model", "report", "findings", "derive", "plot"}


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """``start`` and every module it imports, directly or not."""
    reached, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += graph[name]
    return reached


def _graph() -> dict[str, set[str]]:
    known = module_names()
    return {name: imports(name, path, set(known)) if path.suffix == ".py" else set()
            for name, path in known.items()}


@pytest.mark.parametrize("package, display, imported", [
    ("_service", SERVICE_DISPLAY, "render"), ("_cluster", CLUSTER_DISPLAY, "findings")])
def test_a_saved_report_imports_nothing_that_measures(package, display, imported):
    graph = _graph()
    assert f"fastkern.{package}.{imported}" in graph[f"fastkern.{package}.report"], \
        "the graph sees imports"
    for module in display:
        reached = reachable(graph, f"fastkern.{package}.{module}")
        own = {n.split(".")[2] for n in reached if n.startswith(f"fastkern.{package}.")}
        anatomy = {n.split(".")[2] for n in reached if n.startswith("fastkern._anatomy.")}
        assert own <= display, f"{module} reaches {sorted(own - display)}"
        assert anatomy <= DISPLAY, f"{module} reaches {sorted(anatomy - DISPLAY)}"


def test_the_shared_report_package_is_a_leaf():
    graph = _graph()
    shared = [name for name in graph if name.startswith("fastkern._report.")]
    assert {"fastkern._report.compare", "fastkern._report.saved"} <= set(shared)
    assert "fastkern._report.figure" in graph["fastkern._report.compare"], "the graph sees imports"
    for name in shared:
        outside = {n for n in reachable(graph, name) if not n.startswith("fastkern._report")}
        assert not outside, f"{name} reaches {sorted(outside)}"
