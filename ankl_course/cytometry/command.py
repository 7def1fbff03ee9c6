"""``ankl-course fcs``: list the synthetic samples, write one as an FCS file, or gate an FCS file.

Why on the command line: a teacher may want the course's synthetic samples in
their own cytometry software (FlowJo, FCS Express, FlowKit, R) or want to check
a file a student produced, without opening a notebook.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import CourseDataError
from ..resources import data_path
from . import specs
from .fcs import read_fcs, write_fcs
from .gates import load_strategies
from .synthetic import generate


def _list() -> int:
    for name, spec in specs.load_samples().items():
        print(f"{name:12s}  {spec.title} (synthetic)")
    return 0


def _write(name: str, out: Path, events: int, seed: int) -> int:
    samples = specs.load_samples()
    if name not in samples:
        raise CourseDataError(data_path("cytometry", "samples.toml"), name,
                              f"no such sample; choose one of {', '.join(samples)}")
    path = write_fcs(generate(name, events, seed), out)
    print(f"wrote {path} ({events} events, seed {seed}; synthetic {samples[name].title})")
    return 0


def _gate(path: Path, strategy_name: str | None, strategies_file: Path | None = None) -> int:
    """Gate an FCS file with a course strategy, or with one from a strategy file (a student's saved gates)."""
    source = strategies_file or data_path("cytometry", "strategies.toml")
    strategies = load_strategies(source)
    if strategy_name is None:
        strategy_name = next(iter(strategies)) if strategies_file and len(strategies) == 1 else "nk_screen"
    if strategy_name not in strategies:
        raise CourseDataError(source, strategy_name, f"no such strategy; choose one of {', '.join(strategies)}")
    sample = read_fcs(path)
    try:
        result = strategies[strategy_name].apply(sample)
    except KeyError as exc:
        raise CourseDataError(path, "channels", f"cannot apply {strategy_name}: {exc.args[0]}") from None
    print(f"{path}: {len(sample)} events, strategy {strategy_name}")
    print(result.as_text())
    return 0


def main(argv: list[str], prog: str = "ankl-course fcs") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="action", required=True)
    commands.add_parser("list", help="list the synthetic samples")
    write = commands.add_parser("write", help="write a synthetic sample as an FCS 3.1 file")
    write.add_argument("sample", help="sample name (see 'list')")
    write.add_argument("out", type=Path, help="FCS file to write")
    write.add_argument("--events", type=int, default=50_000, help="number of events (default 50000)")
    write.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    gate = commands.add_parser("gate", help="gate an FCS file and print events, %% of parent and %% of total")
    gate.add_argument("file", type=Path)
    gate.add_argument("--strategy", default=None,
                      help="gating strategy (default nk_screen, or the only one in --strategies)")
    gate.add_argument("--strategies", type=Path, default=None,
                      help="a strategy file, e.g. gates a student saved in chapter 3 (default: the course's)")
    args = parser.parse_args(argv)
    if args.action == "list":
        return _list()
    if args.action == "write":
        if args.events < 0:
            parser.error("--events must be 0 or more")
        return _write(args.sample, args.out, args.events, args.seed)
    return _gate(args.file, args.strategy, args.strategies)
