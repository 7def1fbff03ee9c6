"""Display transforms for fluorescence data: arcsinh with a cofactor, and logicle via FlowUtils.

Why transforms at all: fluorescence spans four to five decades and, after
compensation, includes values at and below zero. A log axis throws those away
or piles them on the axis; arcsinh and logicle are linear near zero and
logarithmic far from it (Parks et al., 2006). Arcsinh is one numpy call, so it
is written here; logicle is a root-finding problem, so it comes from the
maintained FlowUtils library (its GatingML 2.0 implementation), not from us.

Dependency note: FlowUtils 1.2 requires numpy 2, while fcsparser (the test
suite's independent FCS reader) requires numpy < 2; ``flowutils>=1.1`` lets the
resolver pick 1.1.0, which works with numpy 1.26 (checked in the tests).
"""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_COFACTOR = 150.0


def arcsinh(values: Any, cofactor: float = DEFAULT_COFACTOR) -> np.ndarray:
    """``asinh(values / cofactor)``: roughly linear within one cofactor of zero, logarithmic beyond."""
    if cofactor <= 0:
        raise ValueError("the arcsinh cofactor must be greater than 0")
    return np.arcsinh(np.asarray(values, dtype=np.float64) / cofactor)


def arcsinh_inverse(values: Any, cofactor: float = DEFAULT_COFACTOR) -> np.ndarray:
    """Back from the arcsinh scale to intensities (``cofactor * sinh(values)``)."""
    if cofactor <= 0:
        raise ValueError("the arcsinh cofactor must be greater than 0")
    return cofactor * np.sinh(np.asarray(values, dtype=np.float64))


def logicle(values: Any, t: float = 262144.0, m: float = 4.5, w: float = 0.5, a: float = 0.0) -> np.ndarray:
    """The logicle scale (0 to 1 over the display) of Parks et al. 2006, computed by FlowUtils.

    ``t`` is the top of scale, ``m`` the decades of the full display, ``w`` the
    linear width in decades, ``a`` extra negative decades (GatingML 2.0 names).
    """
    from flowutils import transforms

    data = np.asarray(values, dtype=np.float64)
    flat = data.reshape(-1, 1)
    return transforms.logicle(flat, [0], t=t, m=m, w=w, a=a).reshape(data.shape)


def logicle_inverse(values: Any, t: float = 262144.0, m: float = 4.5, w: float = 0.5, a: float = 0.0) -> np.ndarray:
    """From the logicle scale back to intensities (FlowUtils)."""
    from flowutils import transforms

    data = np.asarray(values, dtype=np.float64)
    flat = data.reshape(-1, 1)
    return transforms.logicle_inverse(flat, [0], t=t, m=m, w=w, a=a).reshape(data.shape)
