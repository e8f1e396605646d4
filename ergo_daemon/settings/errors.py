"""The one error settings raise, importable without loading pydantic (the CLI catches it)."""


class ConfigError(Exception):
    """A configuration problem, worded for the person who has to fix it."""
