"""Every library the code imports is pinned where a fresh machine installs it from.

A fresh clone's ``make setup`` installs requirements.txt (and requirements-dev.txt for
the tests) and nothing else: a module that only happens to be installed here would
make ``make run`` fail on the next machine.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = {"archive", "testimonies", "tests", "benchmarks", "scripts", "manage"}
RUNTIME = ["archive", "testimonies", "manage.py", "gunicorn.conf.py"]
DEVELOPMENT = ["tests", "benchmarks", "scripts"]


def normalised(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements):
    """The distributions a requirements file pins, following ``-r`` includes."""
    names = set()
    for line in (ROOT / requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= pinned(line[3:].strip())
        elif line:
            match = re.fullmatch(r"([A-Za-z0-9._-]+)(\[[^\]]*\])?==\S+", line)
            assert match, f"{requirements}: not pinned as name==version: {line!r}"
            names.add(normalised(match[1]))
    return names


def imported_modules(paths):
    """Top-level modules imported anywhere under ``paths`` (absolute imports only)."""
    found = {}
    for entry in paths:
        path = ROOT / entry
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            tree = ast.parse(source.read_text(), str(source))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.split(".")[0]
                    # A script importing the script beside it.
                    if not (source.parent / f"{top}.py").exists():
                        found.setdefault(top, source.relative_to(ROOT))
    return found


def unpinned(paths, requirements):
    distributions = packages_distributions()
    allowed = pinned(requirements)
    missing = []
    for module, source in imported_modules(paths).items():
        if module in OURS or module in sys.stdlib_module_names:
            continue
        owners = {normalised(name) for name in distributions.get(module, [])}
        if not owners & allowed:
            missing.append(f"{module} (imported by {source})")
    return sorted(missing)


def test_the_application_imports_only_what_requirements_txt_pins():
    assert unpinned(RUNTIME, "requirements.txt") == []


def test_tests_and_tools_import_only_what_requirements_dev_txt_pins():
    assert unpinned(DEVELOPMENT, "requirements-dev.txt") == []


def test_a_module_nobody_pins_is_reported(tmp_path, monkeypatch):
    (tmp_path / "requirements.txt").write_text("Django==5.2.19\n")
    (tmp_path / "code.py").write_text("import django\nimport babel\nimport json\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert unpinned(["code.py"], "requirements.txt") == ["babel (imported by code.py)"]


def test_an_unpinned_line_is_refused(tmp_path, monkeypatch):
    (tmp_path / "requirements.txt").write_text("Django>=5\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="not pinned"):
        pinned("requirements.txt")
