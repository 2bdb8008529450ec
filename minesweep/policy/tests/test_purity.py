"""The policy modules stay Django-free (DESIGN §3): only ``management/`` may import Django."""

from __future__ import annotations

import subprocess
import sys

PURE_MODULES = ["codes", "errors", "packs", "engine", "calc", "workdays"]


def test_it_imports_the_pure_modules_without_django():
    imports = "; ".join(f"import minesweep.policy.{name}" for name in PURE_MODULES)
    probe = f"{imports}; import sys; print(any(m.startswith('django') for m in sys.modules))"
    output = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "False"
