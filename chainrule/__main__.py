"""`python -m chainrule ...` runs the `chainrule` command."""

from .cli import main

raise SystemExit(main())
