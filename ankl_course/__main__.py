"""``python -m ankl_course`` is the same as the ``ankl-course`` command."""

from .cli import main

raise SystemExit(main())
