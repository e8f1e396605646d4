"""Allows ``python -m ergo_daemon``."""

from ergo_daemon.cli import main

raise SystemExit(main())
