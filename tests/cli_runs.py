"""Run a `visiondesk` command in this process, as the console script would (argv in, exit
code, stdout and stderr out): a Python process per run costs the SDK's import (~0.7 s) each
time. Tests of what only a real process shows (signals, the exit status of `python -m`) start
one."""

from __future__ import annotations

import io
import subprocess

import pytest

from visiondesk.cli import main


def run_cli(*argv: str, env: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    """`env`: variables to set, or to remove (None), for this run only."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            if value is None:
                patch.delenv(name, raising=False)
            else:
                patch.setenv(name, value)
        patch.setattr("sys.stdout", out)
        patch.setattr("sys.stderr", err)
        try:
            code = main(list(argv))
        except SystemExit as exit:  # argparse's usage errors
            code = exit.code if isinstance(exit.code, int) else 1
    return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())
