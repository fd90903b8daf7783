"""Allow ``python -m portal ...``."""

from portal.cli import main

raise SystemExit(main())
