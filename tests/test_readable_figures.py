"""Issue 13, item 10: figures readable when projected. No text under 12 pt at deck size."""

from __future__ import annotations

from ankl_course import figures


def test_every_text_is_at_least_12_pt_after_rendering() -> None:
    import matplotlib.pyplot as plt

    fig, ax = figures.new_figure("wide")
    _ = ax.plot([0, 1], [0, 1], label="a line")
    ax.legend()  # made after the figure: matplotlib's global 10 pt default, not the course style
    _ = ax.text(0.5, 0.5, "note", fontsize=7)
    assert figures.small_text(fig), "the test figure has no small text: it could not fail"
    figures.png_bytes(fig)
    assert figures.small_text(fig) == []
    plt.close(fig)


def test_text_of_a_figure_wider_than_a_deck_is_scaled_up() -> None:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(19.2, 3), dpi=figures.DPI)  # twice a deck's width: shown at half size
    label = fig.text(0.5, 0.5, "wide", fontsize=14)
    assert figures.small_text(fig)
    figures.png_bytes(fig)
    assert label.get_fontsize() == 2 * figures.MIN_POINTS and figures.small_text(fig) == []
    plt.close(fig)


def test_course_figure_sizes_fit_a_deck() -> None:
    assert all(width * figures.DPI <= 960 for width, _ in figures.SIZES.values())


def test_a_real_course_figure_has_no_small_text() -> None:
    """The EBV latency grid draws its own labels (they were 9 pt)."""
    import matplotlib.pyplot as plt

    from ankl_course import ebv

    fig = ebv.latency_figure()
    png = figures.png_bytes(fig)
    assert png.startswith(b"\x89PNG") and figures.small_text(fig) == []
    plt.close(fig)
