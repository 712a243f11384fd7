"""The package's shape holds: imports only go down the layers, no cycles, no private imports.

The graph is read from the source (every ``import``, those inside functions included), so a
deferred import cannot hide a cycle. Layers, bottom to top::

    core -> lang -> explore -> tone -> drafting -> app -> (lyricist/__init__, __main__)

A module may import its own layer and the layers below it. Inside a job (explore, tone,
drafting), train and eval use the model, never the reverse: a model module (any but
``train*``, ``eval*`` and the job's facade ``api``) imports no ``train*``/``eval*``/``api``
module. An import inside a function is there only to keep a heavy library (torch,
transformers, gensim, spaCy...) off the import path, never to dodge a cycle: outside the CLI
and page modules (which load only what one command or page needs, for a fast cold start) a
deferred lyricist import must name a module that loads a heavy library when imported. The
planted-violation tests show each rule can fail.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("core", "lang", "explore", "tone", "drafting", "app")
JOBS = ("explore", "tone", "drafting")
HEAVY = {"torch", "transformers", "gensim", "spacy", "sklearn", "scipy", "plotly", "pandas", "safetensors",
         "streamlit", "accelerate", "tokenizers", "nrclex"}
#: modules that may defer any import: each CLI command and each page loads only what it needs
LAZY_OK = (".app.cli", ".app.ui")


def modules(pkg_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` under ``pkg_dir`` (a package folder)."""
    out = {}
    for p in sorted(pkg_dir.rglob("*.py")):
        parts = p.relative_to(pkg_dir.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, str, int]]:
    """``(target module, imported name or "", line)`` for each import of the package in one file."""
    top = name.split(".")[0]
    pkg = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, "", node.lineno) for a in node.names if a.name.split(".")[0] == top]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != top:
                continue
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((sub, "", node.lineno) if sub in known else (target, a.name, node.lineno))
    return found


def layer_of(name: str) -> int:
    parts = name.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else len(LAYERS)


def role(name: str) -> str:
    """``tool`` (train*/eval*), ``facade`` (api) or ``model``, for a module inside a job."""
    leaf = name.rpartition(".")[2]
    return "tool" if leaf.startswith(("train", "eval")) else "facade" if leaf == "api" else "model"


def violations(pkg_dir: Path) -> list[str]:
    """Every broken rule in the package at ``pkg_dir``, one line each (empty when it holds)."""
    known = modules(pkg_dir)
    graph: dict[str, set[str]] = {m: set() for m in known}
    bad = []
    for name, path in known.items():
        for target, what, line in imports(name, path, known):
            where = f"{path.relative_to(pkg_dir.parent)}:{line}"
            if target not in known:
                bad.append(f"{where} imports {target}, which does not exist")
                continue
            if what.startswith("_") and not what.startswith("__") and target != name:
                bad.append(f"{where} imports the private name {what} from {target}")
            if target == name:
                continue
            graph[name].add(target)
            if layer_of(target) > layer_of(name):
                bad.append(f"{where} imports upward: {name} -> {target}")
            job = name.split(".")[1] if len(name.split(".")) > 1 else ""
            if (job in JOBS and target.split(".")[1:2] == [job] and role(name) == "model"
                    and role(target) != "model"):
                bad.append(f"{where} imports {target}: a model module may not use train/eval/api modules")
    bad += [f"import cycle: {' -> '.join(c)}" for c in cycles(graph)]
    return bad


def deferred_light_imports(pkg_dir: Path) -> list[str]:
    """Imports inside functions of package modules that load no heavy library (they belong at the top)."""
    known = modules(pkg_dir)
    top: dict[str, set[str]] = {}
    heavy: dict[str, bool] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        top_lines = {n.lineno for n in body}
        top[name] = {target for target, _, line in imports(name, path, known) if line in top_lines}
        third = {a.name.split(".")[0] for n in body if isinstance(n, ast.Import) for a in n.names}
        third |= {(n.module or "").split(".")[0] for n in body if isinstance(n, ast.ImportFrom) and not n.level}
        heavy[name] = bool(third & HEAVY)

    def loads_heavy(m: str, seen: set) -> bool:
        if m in seen:
            return False
        seen.add(m)
        return heavy.get(m, False) or any(loads_heavy(x, seen) for x in top.get(m, ()) if x in known)

    bad = []
    for name, path in known.items():
        if any(s in f".{name}" for s in LAZY_OK):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inner = {n.lineno for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                 for n in ast.walk(f) if isinstance(n, (ast.Import, ast.ImportFrom))}
        for target, _, line in imports(name, path, known):
            if line in inner and target in known and not loads_heavy(target, set()):
                bad.append(f"{path.relative_to(pkg_dir.parent)}:{line} defers {target}, which loads nothing heavy")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp) + [sorted(comp)[0]])

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_lyricist_keeps_its_layers():
    assert violations(ROOT / "lyricist") == []


def test_deferred_imports_only_keep_heavy_libraries_off_the_import_path():
    assert deferred_light_imports(ROOT / "lyricist") == []


def test_a_deferred_light_import_is_caught(tmp_path):
    pkg = _plant(tmp_path, {"lang/a.py": "def f():\n    from lyricist.lang.b import g\n    from lyricist.lang.c import h\n",
                            "lang/b.py": "g = 1\n", "lang/c.py": "import torch\nh = 1\n"})
    assert [v.split(" ", 1)[1] for v in deferred_light_imports(pkg)] == [
        "defers lyricist.lang.b, which loads nothing heavy"]


def test_no_source_file_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in (ROOT / "lyricist").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


def test_tests_bench_and_app_import_no_private_names():
    known = modules(ROOT / "lyricist")
    bad = []
    for path in [*sorted((ROOT / "tests").glob("*.py")), *sorted((ROOT / "bench").glob("*.py")), ROOT / "app.py"]:
        for target, what, line in imports("x", path, known | {"lyricist": ROOT}):
            if what.startswith("_") and not what.startswith("__"):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {what} from {target}")
    assert bad == []


def _plant(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "lyricist"
    for rel, text in {"__init__.py": "", "core/__init__.py": "", "lang/__init__.py": "",
                      "tone/__init__.py": "", **files}.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text)
    return pkg


@pytest.mark.parametrize("files, expected", [
    ({"core/a.py": "def f():\n    from lyricist.lang.b import g\n", "lang/b.py": "g = 1\n"}, "imports upward"),
    ({"lang/a.py": "from lyricist.lang import b\n", "lang/b.py": "def f():\n    import lyricist.lang.a\n"},
     "import cycle: lyricist.lang.a -> lyricist.lang.b -> lyricist.lang.a"),
    ({"lang/a.py": "from lyricist.lang.b import _hidden\n", "lang/b.py": "_hidden = 1\n"}, "private name _hidden"),
    ({"tone/scorers.py": "from lyricist.tone.train import fit\n", "tone/train.py": "fit = 1\n"},
     "a model module may not use"),
    ({"lang/a.py": "from .b import g\n", "lang/b.py": "from ..tone import c\n", "tone/c.py": ""}, "imports upward"),
])
def test_a_planted_violation_is_caught(tmp_path, files, expected):
    found = violations(_plant(tmp_path, files))
    assert any(expected in v for v in found), found


def test_a_clean_planted_package_passes(tmp_path):
    pkg = _plant(tmp_path, {"core/a.py": "x = 1\n", "lang/b.py": "from lyricist.core.a import x\n",
                            "tone/train.py": "from lyricist.tone import scorers\n", "tone/scorers.py": ""})
    assert violations(pkg) == []
