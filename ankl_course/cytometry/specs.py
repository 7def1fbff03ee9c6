"""The declarative description of the synthetic cytometry data: panel, populations, samples.

Why a data file and not code: a teacher who wants a new sample (a marrow, a
smaller clone, a CD16-negative ANKL) edits ``data/cytometry/*.toml`` and cites
the source there; ``ankl-course check`` follows the ``sources`` keys. This module
reads those files and turns each mistake into a :class:`CourseDataError` naming
the file, the entry and the problem, so the generator never has to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..datafile import checked_number, read_toml
from ..errors import CourseDataError
from ..resources import data_path

SCATTER = "scatter"
FLUORESCENCE = "fluorescence"
SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Channel:
    """One FCS parameter: the detector ($PnN) and what it measures ($PnS)."""

    detector: str
    marker: str
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Level:
    """An expression level: a normal distribution on the arcsinh display scale."""

    mean: float
    sd: float


@dataclass(frozen=True)
class Expression:
    """How one population expresses one marker: ``fraction`` of its cells at ``level``, the rest at ``other``."""

    level: Level
    fraction: float = 1.0
    other: Level | None = None


@dataclass(frozen=True)
class Panel:
    """The channels of the tube, the arcsinh cofactor and the named levels and scatter profiles."""

    channels: tuple[Channel, ...]
    cofactor: float
    range: int
    levels: dict[str, Level]
    scatter: dict[str, tuple[Level, Level]]

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(channel.marker for channel in self.channels)

    @property
    def detectors(self) -> tuple[str, ...]:
        return tuple(channel.detector for channel in self.channels)

    def index(self, name: str) -> int:
        """Column of a channel named by marker (``CD56``) or detector (``PE-Cy7-A``)."""
        for position, channel in enumerate(self.channels):
            if name in (channel.marker, channel.detector):
                return position
        raise KeyError(f"no channel {name!r}; channels are {', '.join(self.markers)}")


@dataclass(frozen=True)
class Population:
    """A cell population: its scatter profile and its expression of every fluorescence marker."""

    name: str
    label: str
    scatter: str
    markers: dict[str, Expression]
    abnormal: bool = False
    note: str = ""


@dataclass(frozen=True)
class SampleSpec:
    """A named synthetic sample: which populations, in which shares of all events."""

    name: str
    title: str
    specimen: str
    description: str
    shares: dict[str, float]
    abnormal: tuple[str, ...] = ()


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path)


def _level(path: Path, where: str, raw: Any) -> Level:
    if not isinstance(raw, dict) or set(raw) != {"mean", "sd"}:
        raise CourseDataError(path, where, "a level is { mean = ..., sd = ... }")
    return Level(checked_number(path, where, raw["mean"], "mean"),
                 checked_number(path, where, raw["sd"], "sd", positive=True))


def load_panel(path: Path | None = None) -> Panel:
    """Read and check ``panel.toml``."""
    path = path or data_path("cytometry", "panel.toml")
    raw = _read(path)
    levels = {name: _level(path, f"levels.{name}", value) for name, value in raw.get("levels", {}).items()}
    for needed in ("neg", "dim", "pos", "bright"):
        if needed not in levels:
            raise CourseDataError(path, "levels", f"level {needed!r} is missing")
    scatter: dict[str, tuple[Level, Level]] = {}
    for name, value in raw.get("scatter", {}).items():
        where = f"scatter.{name}"
        try:
            (fm, fs), (sm, ss) = value["fsc"], value["ssc"]
        except (KeyError, TypeError, ValueError):
            raise CourseDataError(path, where, "a scatter profile is { fsc = [mean, sd], ssc = [mean, sd] }") from None
        scatter[name] = (_level(path, where, {"mean": fm, "sd": fs}), _level(path, where, {"mean": sm, "sd": ss}))
    channels = []
    for index, entry in enumerate(raw.get("channel", []), start=1):
        where = f"channel #{index}"
        if not isinstance(entry, dict) or not entry.get("detector") or not entry.get("marker"):
            raise CourseDataError(path, where, "each channel needs a detector and a marker")
        if entry.get("kind") not in (SCATTER, FLUORESCENCE):
            raise CourseDataError(path, where, f"kind must be {SCATTER!r} or {FLUORESCENCE!r}")
        channels.append(Channel(entry["detector"], entry["marker"], entry["kind"], entry.get("note", "")))
    if not channels:
        raise CourseDataError(path, "", "the panel has no [[channel]]")
    names = [c.marker for c in channels] + [c.detector for c in channels if c.detector != c.marker]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise CourseDataError(path, "channel", f"duplicate channel name(s): {', '.join(duplicates)}")
    return Panel(
        channels=tuple(channels),
        cofactor=checked_number(path, "cofactor", raw.get("cofactor"), "cofactor", positive=True),
        range=int(checked_number(path, "range", raw.get("range"), "range", positive=True)),
        levels=levels,
        scatter=scatter,
    )


def _expression(path: Path, where: str, raw: Any, levels: dict[str, Level]) -> Expression:
    def named(value: Any, label: str) -> Level:
        if isinstance(value, str):
            if value not in levels:
                raise CourseDataError(path, where, f"{label} {value!r} is not a level ({', '.join(levels)})")
            return levels[value]
        return _level(path, where, value)

    if isinstance(raw, str):
        return Expression(named(raw, "level"))
    if isinstance(raw, dict) and "level" in raw:
        unknown = set(raw) - {"level", "fraction", "else"}
        if unknown:
            raise CourseDataError(path, where, f"unknown key(s): {', '.join(sorted(unknown))}")
        fraction = checked_number(path, where, raw.get("fraction", 1.0), "fraction")
        if not 0.0 <= fraction <= 1.0:
            raise CourseDataError(path, where, "fraction must be between 0 and 1")
        return Expression(named(raw["level"], "level"), fraction, named(raw.get("else", "neg"), "else"))
    if isinstance(raw, dict):
        return Expression(_level(path, where, raw))
    raise CourseDataError(path, where, f"cannot read marker expression {raw!r}")


def load_populations(path: Path | None = None, panel: Panel | None = None) -> dict[str, Population]:
    """Read and check ``populations.toml`` against the panel."""
    path = path or data_path("cytometry", "populations.toml")
    panel = panel or load_panel()
    fluorescence = {c.marker for c in panel.channels if c.kind == FLUORESCENCE}
    populations: dict[str, Population] = {}
    for name, entry in _read(path).get("population", {}).items():
        where = f"population.{name}"
        if not isinstance(entry, dict) or not entry.get("label"):
            raise CourseDataError(path, where, "needs a label")
        if entry.get("scatter") not in panel.scatter:
            raise CourseDataError(path, where, f"scatter must be one of {', '.join(panel.scatter)}")
        markers = entry.get("markers", {})
        unknown = set(markers) - fluorescence
        if unknown:
            raise CourseDataError(path, where, f"marker(s) not in the panel: {', '.join(sorted(unknown))}")
        expressions = {
            marker: _expression(path, f"{where}.markers.{marker}", markers.get(marker, "neg"), panel.levels)
            for marker in sorted(fluorescence)
        }
        populations[name] = Population(
            name=name, label=entry["label"], scatter=entry["scatter"], markers=expressions,
            abnormal=bool(entry.get("abnormal", False)), note=entry.get("note", ""),
        )
    return populations


def load_samples(path: Path | None = None, populations: dict[str, Population] | None = None) -> dict[str, SampleSpec]:
    """Read and check ``samples.toml``: known populations, shares that add up to 1."""
    path = path or data_path("cytometry", "samples.toml")
    populations = populations if populations is not None else load_populations()
    samples: dict[str, SampleSpec] = {}
    for name, entry in _read(path).get("sample", {}).items():
        where = f"sample.{name}"
        shares = entry.get("shares") if isinstance(entry, dict) else None
        if not isinstance(shares, dict) or not shares:
            raise CourseDataError(path, where, "needs shares = { population = fraction, ... }")
        for population, share in shares.items():
            if population not in populations:
                raise CourseDataError(path, where, f"unknown population {population!r}")
            if checked_number(path, where, share, f"share of {population}") < 0:
                raise CourseDataError(path, where, f"share of {population} is negative")
        total = sum(shares.values())
        if abs(total - 1.0) > SHARE_TOLERANCE:
            raise CourseDataError(path, where, f"shares add up to {total:.6g}, not 1")
        samples[name] = SampleSpec(
            name=name, title=entry.get("title", name), specimen=entry.get("specimen", ""),
            description=entry.get("description", ""), shares={k: float(v) for k, v in shares.items()},
            abnormal=tuple(p for p in shares if populations[p].abnormal),
        )
    return samples
