"""The README's set-up on a fresh machine: scripts/system-packages installs the Debian packages as root and
otherwise stops with one line naming the command to run (before any test starts)."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _fake_tools(tmp_path: Path, installed: set[str]) -> Path:
    """dpkg-query knowing only ``installed``; apt-get recording what it was asked to do."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    known = " ".join(sorted(installed))
    (bin_dir / "dpkg-query").write_text(
        f'#!/bin/sh\nfor p in {known}; do [ "$p" = "$3" ] && printf "install ok installed" && exit 0; done\nexit 1\n'
    )
    (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$@" >> {tmp_path}/apt.log\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def _run(tmp_path: Path, bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    packages = tmp_path / "packages"
    packages.write_text("# comment\nchromium\nfonts-wqy-microhei\n\npoppler-utils\n")
    environment = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "MINESWEEP_PACKAGE_LIST": str(packages),
    }
    environment.pop("MINESWEEP_SKIP_SYSTEM_PACKAGES", None)
    return subprocess.run(
        [str(ROOT / "scripts" / "system-packages")],
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=60,
    )


def test_it_names_the_one_command_to_run_when_it_may_not_install(tmp_path):
    bin_dir = _fake_tools(tmp_path, {"chromium"})
    result = _run(tmp_path, bin_dir, MINESWEEP_AS_ROOT="0")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "apt-get install -y fonts-wqy-microhei poppler-utils" in lines[0]
    assert not (tmp_path / "apt.log").exists()


def test_it_installs_the_missing_packages_as_root(tmp_path):
    bin_dir = _fake_tools(tmp_path, {"poppler-utils"})
    result = _run(tmp_path, bin_dir)
    if os.geteuid() != 0:
        assert result.returncode == 1  # not root here: the one-line instruction instead
        return
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "apt.log").read_text().splitlines()
    assert calls[0].startswith("update") and calls[1].endswith("chromium fonts-wqy-microhei")


def test_it_does_nothing_when_everything_is_installed(tmp_path):
    bin_dir = _fake_tools(tmp_path, {"chromium", "fonts-wqy-microhei", "poppler-utils"})
    result = _run(tmp_path, bin_dir)
    assert result.returncode == 0 and not (tmp_path / "apt.log").exists()


def test_the_readme_commands_set_up_system_packages_before_any_test():
    test_script = (ROOT / "scripts" / "test").read_text()
    assert test_script.index("scripts/system-packages") < test_script.index("pytest")
    listed = (ROOT / "scripts" / "debian-packages").read_text().split()
    assert {"chromium", "fonts-wqy-microhei", "poppler-utils"} <= set(listed)
