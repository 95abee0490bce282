"""``python -m viz``: the model library from the command line.

python -m viz fetch gpt2            # a short name (see ``python -m viz fetch --list``) or a repository id
python -m viz models                # what the app will offer, by family
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz", description="The app's model library.")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser("fetch", help="download a checkpoint into the Hugging Face cache")
    fetch.add_argument("names", nargs="*", help="short names or repository ids")
    fetch.add_argument("--list", action="store_true", help="list the recommended checkpoints")
    commands.add_parser("models", help="list the models the app offers")
    args = parser.parse_args(argv)
    if args.command == "models":
        from viz.library.catalog import library
        from viz.library.families import FAMILIES

        lib = library()
        for key, family in FAMILIES.items():
            print(f"{family.name}:")
            for entry in lib.entries(key):
                print(f"  {entry.key:45} {entry.label()}")
        for info in lib.unsupported():
            print(f"not supported ({info.model_type or 'no model_type'}): {info.folder}")
        return 0
    from viz.library.fetch import CURATED, FetchError
    from viz.library.fetch import fetch as fetch_model

    if args.list or not args.names:
        for item in CURATED:
            print(f"  {item.short:22} {item.repo_id:45} about {item.megabytes:>4} MB  {item.about}")
        return 0 if args.list else 2
    status = 0
    for name in args.names:
        try:
            folder = fetch_model(name, report=_printer(name))
        except FetchError as err:
            print(f"\n{name}: {err}", file=sys.stderr)
            status = 1
            continue
        print(f"\n{name}: ready in {folder}")
    return status


def _printer(name: str):
    def report(done: int, total: int) -> None:
        print(f"\r{name}: {done / 1e6:7.1f} of {total / 1e6:.1f} MB", end="", flush=True)

    return report


if __name__ == "__main__":
    sys.exit(main())
