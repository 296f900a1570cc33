"""Run the benchmarks: `python -m benchmarks [NAME ...] [--note TEXT]` (NAME: round_app,
rounds, shortlist, shortlist_api, participant_page, reminders; all when none is named).

Prints JSON and writes benchmarks/results/<name>.json with the machine it ran on.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

import django

from benchmarks import machine
from benchmarks.rounds import SIZES

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def _setup_django():
    # The reasons use Django's translations; nothing here touches the database.
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buddy.settings.base")

    django.setup()


def _benchmark(name):
    # Loaded after django.setup(): each benchmark imports the project's models at its top.
    return importlib.import_module(f"benchmarks.{name}")


def main(argv=None) -> int:
    benchmarks = {
        "shortlist": lambda args: _benchmark("shortlist").run(),
        "rounds": lambda args: _benchmark("rounds").run(_sizes(args)),
        "shortlist_api": lambda args: _benchmark("shortlist_api").run(),
        "participant_page": lambda args: _benchmark("participant_page").run(),
        "reminders": lambda args: _benchmark("reminders").run(),
        "kept_blocks": lambda args: _benchmark("kept_blocks").run(),
        "round_app": lambda args: _benchmark("round_app").run(
            *([args.cases.split(",")] if args.cases else []), quality=not args.no_quality),
    }
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", choices=sorted(benchmarks), default=[],
                        help="the benchmarks to run (all when none is named)")
    parser.add_argument("--only", action="append", choices=sorted(benchmarks),
                        help="run only this benchmark (repeatable)")
    parser.add_argument("--cases", help="round_app cases, e.g. one-10000x10000,five-1000x1000")
    parser.add_argument("--no-quality", action="store_true",
                        help="round_app: skip the references (best totals, SciPy dense)")
    parser.add_argument("--sizes", help="round sizes, e.g. 2000x2000,10000x10000")
    parser.add_argument("--note", default="", help="a remark stored with the results")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    _setup_django()
    for name in args.names or args.only or list(benchmarks):
        before = machine.load_average()
        result = benchmarks[name](args)
        result["machine"] = machine.describe()
        result["machine"]["load_average_before"] = before
        if args.note:
            result["note"] = args.note
        text = json.dumps(result, indent=2, ensure_ascii=False)
        print(text)
        if not args.no_write:
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / f"{name}.json").write_text(text + "\n")
    return 0


def _sizes(args):
    if not args.sizes:
        return SIZES
    # 2000x2000 (five cities) or one-2000x2000 (one city)
    sizes = []
    for size in args.sizes.split(","):
        area, _, size = size.rpartition("-")
        sizes.append((*(int(n) for n in size.split("x")), area or "five"))
    return tuple(sizes)


if __name__ == "__main__":
    sys.exit(main())
