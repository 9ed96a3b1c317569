"""``python -m aelle``: the ``aelle`` command line (:mod:`aelle.cli`)."""

from aelle.cli import main

raise SystemExit(main())
