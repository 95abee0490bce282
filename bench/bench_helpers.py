"""Shared by the scripts in bench/ (which find it beside them on ``sys.path``): the state of the machine while a
figure was taken, the generated shapes a trace benchmark times, and command-line options in seconds."""

from __future__ import annotations

import argparse
import os
import subprocess
from collections.abc import Callable


def machine_state() -> str:
    """The load average and every other ``python -m viz`` process running now, one per line."""
    others = subprocess.run(["pgrep", "-af", "python -m viz"], capture_output=True, text=True).stdout.strip()
    load = os.getloadavg()
    lines = [f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"]
    lines += [f"  also running: {line}" for line in others.splitlines()] or [
        "  no other python -m viz process"
    ]
    return "\n".join(lines)


def shapes_to_time(seed: int, threads_help: str, warm_up: Callable) -> list:
    """Read ``--runs`` (default 100) and ``--threads`` (0: keep torch's setting), generate ``--runs`` + 10 shapes
    from ``seed``, pass the first 10 to ``warm_up`` (model load, allocator, caches) and return the others."""
    import torch

    from viz.data.shapes import make_shapes

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--threads", type=int, default=0, help=threads_help)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    images, _, _ = make_shapes(args.runs + 10, seed=seed)
    for image in images[:10]:
        warm_up(image)
    return images[10:]


def add_seconds(parser: argparse.ArgumentParser, flag: str, default: float, text: str) -> None:
    """Add the option ``flag``: a number of seconds, ``default`` when not given."""
    parser.add_argument(flag, type=float, default=default, help=text)
