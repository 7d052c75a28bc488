"""`python -m uponyaji_serve` is `uponyaji-serve`."""

from uponyaji_serve.cli import main

raise SystemExit(main())
