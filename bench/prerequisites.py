"""Install what a benchmark needs when it is missing, and say so, never failing the run."""

import importlib
import os
import shutil
import subprocess
import sys


def _run(command: list[str]) -> bool:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
        print(f"  note: {' '.join(command)} failed: {' '.join(tail)}")
    return result.returncode == 0


def missing_debian_packages(names: tuple[str, ...]) -> list[str]:
    missing = []
    for name in names:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True, check=False
        )
        if "install ok installed" not in result.stdout:
            missing.append(name)
    return missing


def _apt_command() -> list[str] | None:
    if shutil.which("apt-get") is None:
        return None
    if os.geteuid() == 0:
        return ["apt-get"]
    if shutil.which("sudo"):
        return ["sudo", "-n", "apt-get"]
    return None


def apt_install(names: list[str]) -> list[str]:
    """Install Debian packages (refreshing the lists once if needed); return those still missing."""
    if not names:
        return []
    apt = _apt_command()
    if apt is None:
        print(f"  note: cannot run apt-get as root here; not installing {', '.join(names)}")
        return names
    os.environ.setdefault("DEBIAN_FRONTEND", "noninteractive")
    install = [*apt, "install", "-y", "-q", "--no-install-recommends"]
    print(f"  installing {', '.join(names)} with apt-get...")
    if not _run([*install, *names]):
        _run([*apt, "update", "-q"])
        # One at a time, so one unavailable package does not keep the others out.
        for name in names:
            _run([*install, name])
    return missing_debian_packages(tuple(names))


def _imports(module: str) -> bool | None:
    """True if it imports, None if it is not installed, False if installed but broken.

    Tried in a child process: pyvips loads libvips, whose system libjpeg and libwebp would then
    stand in for Pillow's own in this process.
    """
    probe = (
        "import importlib, sys\n"
        "try:\n"
        f"    importlib.import_module({module!r})\n"
        "except ImportError as exc:\n"
        f"    sys.exit(3 if exc.name == {module!r} else f'{{exc}}')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    if result.returncode == 3:
        return None
    if result.returncode != 0:
        tail = result.stderr.strip().splitlines()[-1:] or ["no output"]
        print(f"  note: {module} does not import: {tail[0]}")
        return False
    return True


def ensure_python_package(module: str, requirement: str) -> bool:
    """Check that `module` imports, pip-installing `requirement` into this interpreter's
    environment first when it is absent. Bench-only packages: not project dependencies."""
    state = _imports(module)
    if state is None:
        print(f"  installing {requirement} into {sys.prefix} with pip (bench only)...")
        pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        if not _run([*pip, requirement]):
            return False
        importlib.invalidate_caches()
        state = _imports(module)
    return bool(state)
