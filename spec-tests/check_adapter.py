#!/usr/bin/env python3
"""Checks spec-tests/adapter.py the way the official WASI test runner uses an adapter.

The runner first runs the adapter file as a script with ``--version`` and insists on no
output at all (output means an old-style adapter); then it imports the file with
importlib, asks for its name, version, WASI versions and worlds, and calls
``compute_argv(test_path, (args, env, dirs), proposals, wasi_world, wasi_version)`` for
each test, running the command line it returns with the test's directory preopened and
comparing exit status and output.

This script does the same against the capwasi binary named by ``CAPWASI`` (or found on
``PATH``), with the directories passed both ways runners have passed them, on the engine
``CAPWASI_ENGINE`` names and on each engine explicitly. It prints one line per check and
exits 1 if any failed.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Importing adapter.py must leave no __pycache__ in the source tree.
sys.dont_write_bytecode = True

HERE = Path(__file__).resolve().parent
ADAPTER = HERE / "adapter.py"
ENGINES = ["wasmtime", "wasmi"]
failures = []
passed = []


def check(ok, what):
    print(("ok " if ok else "FAIL ") + what)
    (passed if ok else failures).append(what)
    return ok


def load_adapter():
    # As the runner does: the module is named after the file and executed in place.
    spec = importlib.util.spec_from_file_location(ADAPTER.name, ADAPTER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def remove_cleanup(directory):
    for path in sorted(Path(directory).glob("**/*.cleanup"), reverse=True):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


def run_test(adapter, suite_dir, name, dirs_shape):
    """Runs spec test ``name`` of ``suite_dir`` through the adapter's command line, with its
    directories passed in ``dirs_shape`` ("pairs" or "root"), and says whether it passed."""
    config = json.loads((suite_dir / f"{name}.json").read_text(encoding="utf-8"))
    if dirs_shape == "pairs":
        dirs = [(suite_dir / d, d) for d in config.get("dirs", [])]
    else:
        dirs = suite_dir / config["root"] if "root" in config else None
    argv = adapter.compute_argv(
        str(suite_dir / f"{name}.wasm"),
        (config.get("args", []), config.get("env", {}), dirs),
        [],
        "wasi:cli/command",
        "wasm32-wasip1",
    )
    if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
        return False, f"compute_argv returned {argv!r}, not a list of str"
    for host in [suite_dir / d for d in config.get("dirs", [])]:
        remove_cleanup(host)
    proc = subprocess.run(argv, stdin=subprocess.PIPE, capture_output=True, text=True,
                          timeout=300, check=False)
    for host in [suite_dir / d for d in config.get("dirs", [])]:
        remove_cleanup(host)
    problems = []
    if proc.returncode != config.get("exit_code", 0):
        problems.append(f"exit status {proc.returncode}, want {config.get('exit_code', 0)}")
    for stream in ("stdout", "stderr"):
        want = config.get(stream)
        got = getattr(proc, stream)
        if want is not None and got != want:
            problems.append(f"{stream} {got!r}, want {want!r}")
    if problems and proc.stderr and "stderr" not in config:
        problems.append(f"stderr {proc.stderr!r}")
    return not problems, "; ".join(problems)


def main():
    if "CAPWASI" not in os.environ and shutil.which("capwasi") is None:
        print("FAIL no capwasi: set CAPWASI to the binary or put it on PATH")
        return 1

    # 1. Run as a script with --version, the runner's test for an old-style adapter: a
    # module-style adapter must print nothing and succeed.
    proc = subprocess.run([sys.executable, str(ADAPTER), "--version"],
                          capture_output=True, text=True, check=False)
    check(proc.returncode == 0 and proc.stdout == "" and proc.stderr == "",
          "running adapter.py --version prints nothing and succeeds "
          f"(status {proc.returncode}, stdout {proc.stdout!r}, stderr {proc.stderr!r})")

    # 2. Load it as the runner does, and ask what it runs.
    adapter = load_adapter()
    for func in ("get_name", "get_version", "get_wasi_versions", "get_wasi_worlds",
                 "compute_argv"):
        check(callable(getattr(adapter, func, None)), f"adapter defines {func}")
    if failures:
        return 1
    check(adapter.get_name() == "capwasi", f"get_name() is {adapter.get_name()!r}")
    version = subprocess.run(adapter._capwasi()[:1] + ["--version"], capture_output=True,
                             text=True, check=True).stdout.split()
    check(adapter.get_version() == version[1],
          f"get_version() is {adapter.get_version()!r}, from `capwasi --version`")
    check(adapter.get_wasi_versions() == ["wasm32-wasip1"],
          f"get_wasi_versions() is {adapter.get_wasi_versions()!r}")
    check(adapter.get_wasi_worlds() == ["wasi:cli/command"],
          f"get_wasi_worlds() is {adapter.get_wasi_worlds()!r}")

    # 3. The command line: every argument, variable and directory, and the engine.
    saved_engine = os.environ.pop("CAPWASI_ENGINE", None)
    argv = adapter.compute_argv(
        "/t/x.wasm", (["a b", "", "-v"], {"K": "v=1", "E": ""}, [(Path("/h/d"), "d")]),
        [], "wasi:cli/command", "wasm32-wasip1")
    check(argv[1:] == ["run", "--env", "K=v=1", "--env", "E=", "--dir", "/h/d::d", "--",
                       "/t/x.wasm", "a b", "", "-v"],
          f"compute_argv with directory pairs gives {argv!r}")
    argv = adapter.compute_argv("/t/x.wasm", ([], {}, "/h/root"), [], "wasi:cli/command",
                                "wasm32-wasip1")
    check(argv[1:] == ["run", "--dir", "/h/root::/", "--", "/t/x.wasm"],
          f"compute_argv with a root directory gives {argv!r}")
    argv = adapter.compute_argv("/t/x.wasm", ([], {}, None), [], "wasi:cli/command",
                                "wasm32-wasip1")
    check(argv[1:] == ["run", "--", "/t/x.wasm"], f"compute_argv with no directory gives {argv!r}")
    os.environ["CAPWASI_ENGINE"] = "wasmi"
    argv = adapter.compute_argv("/t/x.wasm", ([], {}, []), [], "wasi:cli/command",
                                "wasm32-wasip1")
    check(argv[1:] == ["run", "--engine", "wasmi", "--", "/t/x.wasm"],
          f"CAPWASI_ENGINE picks the engine: {argv!r}")
    os.environ.pop("CAPWASI_ENGINE")
    if saved_engine is not None:
        os.environ["CAPWASI_ENGINE"] = saved_engine

    # 4. For real, in a copy of spec-tests: a filesystem test with its directory passed
    # both ways, the arguments-and-environment test, and an exit status, on every engine.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "spec-tests"
        shutil.copytree(HERE, copy, symlinks=True,
                        ignore=shutil.ignore_patterns("*.cleanup", "__pycache__"))
        cases = [("path", "symlinks", "pairs"), ("path", "symlinks", "root"),
                 ("fd", "file_io", "root"), ("args_environ", "args_env_many", "pairs"),
                 ("proc", "exit_failure", "pairs")]
        for engine in [saved_engine] if saved_engine else ENGINES:
            os.environ["CAPWASI_ENGINE"] = engine
            for suite, name, shape in cases:
                ok, why = run_test(adapter, copy / suite, name, shape)
                check(ok, f"{engine}: {suite}/{name} through the adapter, directories as "
                          f"{shape}" + ("" if ok else f": {why}"))
        os.environ.pop("CAPWASI_ENGINE", None)
        if saved_engine is not None:
            os.environ["CAPWASI_ENGINE"] = saved_engine

    print(f"adapter checks: {len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
