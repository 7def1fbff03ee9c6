"""Chapter 04's clinical-picture figures (ankl_course.clinical): what they draw, from which registry."""

from __future__ import annotations

import numpy as np

from ankl_course import claims, clinical, facts


def test_organ_bars_are_the_registry_shares_in_order_with_their_values_written() -> None:
    fig = clinical.organ_enlargement_figure()
    ax = fig.axes[0]
    expected = [facts.number(fact_id) for _, fact_id in clinical.ORGANS]
    assert [bar.get_width() for bar in ax.containers[0]] == expected
    assert [t.get_text() for t in ax.get_yticklabels()] == ["enlarged liver", "enlarged spleen",
                                                            "enlarged lymph nodes"]
    assert ax.yaxis_inverted()  # read top to bottom in the order listed
    assert [t.get_text() for t in ax.texts] == [f"{v}%" for v in expected]
    assert ax.get_title() == f"Organ enlargement, {facts.fact(clinical.ORGAN_SERIES)}"
    shown = clinical.show_organ_enlargement()
    assert f"enlarged lymph nodes in {expected[2]} percent" in shown.alt and "Suzuki" in shown.caption


def test_age_bands_come_from_the_claims_that_state_one() -> None:
    topic = claims.by_topic("age")
    bands = clinical.age_bands(topic)
    with_range = [claims.claim(i) for i in topic if claims.claim(i).age_range]
    assert len(bands) == len(with_range) >= 2
    assert [(b.low, b.high) for b in bands] == [c.age_range for c in with_range]
    assert all(not b.source.endswith(".txt") for b in bands)  # named by what the text is, not by file


def test_age_chart_draws_a_band_per_source_and_a_median_per_series() -> None:
    topic = claims.by_topic("age")
    bands = clinical.age_bands(topic)
    ax = clinical.age_figure(topic).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [b.source for b in bands] + [label for label, _ in clinical.AGE_STUDIES]
    thick = [line for line in ax.lines if line.get_linewidth() == 8]
    assert [tuple(np.asarray(line.get_xdata())) for line in thick] == [(b.low, b.high) for b in bands]
    dots = [line for line in ax.lines if line.get_marker() == "o"]
    medians = [facts.fact(fact_id).value for _, fact_id in clinical.AGE_STUDIES]
    assert [np.asarray(line.get_xdata())[0] for line in dots] == medians
    assert [np.asarray(line.get_ydata())[0] for line in dots] == list(np.arange(len(bands), len(labels)))
    alt = clinical.show_ages(topic).alt
    assert all(f"{b.source}, {b.low:g} to {b.high:g} years" in alt for b in bands)
