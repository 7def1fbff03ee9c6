"""Figures keep their alt text in every export: an <img alt> HTML output with the PNG beside it."""

from __future__ import annotations

import base64

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from ankl_course import figures  # noqa: E402


def _figure():
    fig, ax = figures.new_figure("small")
    ax.plot([0, 1], [1, 0], color=figures.PALETTE["blue"])
    return fig


def test_show_keeps_alt_text_and_png_and_closes_the_figure() -> None:
    fig = _figure()
    shown = figures.show(fig, alt='A line falling from "1" to 0')
    bundle = shown._repr_mimebundle_()
    expected = '<img alt="A line falling from &quot;1&quot; to 0" src="data:image/png;base64,'
    assert bundle["text/html"].startswith(expected)
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert bundle["text/plain"] == '[Figure: A line falling from "1" to 0]'
    assert not plt.fignum_exists(fig.number)


def test_rendering_is_deterministic() -> None:
    assert figures.png_bytes(_figure()) == figures.png_bytes(_figure())


def test_missing_alt_text_is_refused() -> None:
    with pytest.raises(ValueError, match="alt text"):
        figures.show(_figure(), alt="  ")


def test_caption_becomes_figcaption() -> None:
    html = figures.show(_figure(), alt="x", caption="Synthetic data").html()
    assert "<figcaption>Synthetic data</figcaption>" in html


def test_unknown_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be one of"):
        figures.new_figure("huge")


def test_palette_is_okabe_ito() -> None:
    assert figures.CYCLE[:3] == ["#0072B2", "#E69F00", "#009E73"]
