"""``python -m se_tutorial.experiments``: see :func:`se_tutorial.experiments.main`."""

import sys

from .cli import main

sys.exit(main())
