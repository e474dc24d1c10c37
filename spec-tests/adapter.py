"""Runtime adapter for the official WASI test runner (WebAssembly/wasi-testsuite).

Pass this file to the runner with ``-r spec-tests/adapter.py``. The runner loads it as a
Python module and calls the functions below; run as a script it does nothing, which is how
the runner tells it from an old-style adapter.

Environment variables:

``CAPWASI``
    The ``capwasi`` command, split like a shell command line; default ``capwasi`` from
    ``PATH``. For example ``CAPWASI=target/release/capwasi``.
``CAPWASI_ENGINE``
    The engine to run every test on (``wasmtime`` or ``wasmi``); default: capwasi's own
    default.
"""

import os
import shlex
import subprocess
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

WASI_VERSIONS = ["wasm32-wasip1"]
WASI_WORLDS = ["wasi:cli/command"]


def _capwasi() -> List[str]:
    # Read at each call rather than at import, so a caller can switch binaries or
    # engines between tests.
    return shlex.split(os.environ.get("CAPWASI", "capwasi"))


def get_name() -> str:
    """The runtime's name, as the runner reports it."""
    return "capwasi"


def get_version() -> str:
    """The version ``capwasi --version`` prints (``capwasi 0.1.0`` gives ``0.1.0``)."""
    result = subprocess.run(
        _capwasi()[:1] + ["--version"],
        encoding="UTF-8",
        capture_output=True,
        check=True,
    )
    words = result.stdout.split()
    if len(words) < 2:
        raise RuntimeError(f"unexpected `capwasi --version` output: {result.stdout!r}")
    return words[1]


def get_wasi_versions() -> List[str]:
    """The WASI versions capwasi runs: preview1 core modules."""
    return list(WASI_VERSIONS)


def get_wasi_worlds() -> List[str]:
    """The worlds capwasi runs: a command with a `_start` export."""
    return list(WASI_WORLDS)


Dirs = Union[None, str, os.PathLike, Sequence[Tuple[Union[str, os.PathLike], str]]]


def compute_argv(
    test_path: str,
    args_env_dirs: Tuple[List[str], Dict[str, str], Dirs],
    proposals: List[str],
    wasi_world: str = "wasi:cli/command",
    wasi_version: str = "wasm32-wasip1",
) -> List[str]:
    """The command line that runs one test.

    ``args_env_dirs`` is ``(args, env, dirs)``. Runners have passed the directories in two
    shapes, and both are accepted: a list of ``(host_path, guest_name)`` pairs, each
    preopened under its guest name, or a single root directory (or ``None``), preopened as
    ``/``.

    The runner computes a command line even for the tests it skips (another WASI version
    or world, or a proposal capwasi lacks), so nothing here refuses one; such a test fails
    when it runs. ``wasi_world`` and ``wasi_version`` change nothing, so a runner from
    before worlds existed, which passes four arguments, works too.
    """
    args, env, dirs = args_env_dirs

    argv = _capwasi()
    argv.append("run")
    engine = os.environ.get("CAPWASI_ENGINE")
    if engine:
        argv += ["--engine", engine]
    for name, value in env.items():
        argv += ["--env", f"{name}={value}"]
    for host, guest in _preopens(dirs):
        argv += ["--dir", f"{host}::{guest}"]
    # After `--`, a module path that starts with `-` is still the module; everything after
    # it goes to the guest unchanged.
    argv += ["--", str(test_path)]
    argv += [str(a) for a in args]
    return argv


def _preopens(dirs: Dirs) -> List[Tuple[str, str]]:
    if dirs is None:
        return []
    if isinstance(dirs, (str, os.PathLike)):
        return [(str(dirs), "/")]
    return [(str(Path(host)), str(guest)) for host, guest in dirs]


if __name__ == "__main__":
    # The runner runs the file once as a script: printing nothing tells it that this is a
    # module-style adapter.
    pass
