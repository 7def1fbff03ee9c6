"""ankl-course: an interactive Jupyter course on aggressive NK-cell leukemia (ANKL).

The package is imported by the command line and by every notebook, so this
module stays empty of imports: `ankl-course --help` must answer fast, and each
notebook pulls in only the modules it uses (``from ankl_course import quiz``).

This course is education, not medical advice.
"""

__version__ = "0.1.0"

DISCLAIMER = (
    "This course is for education only. It is not medical advice and gives no "
    "patient-specific dosing; decisions about a real patient belong to their "
    "clinical team."
)
