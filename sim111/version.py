"""The package version, in one place (the package, the result store keys and the docs read it)."""

__version__ = "0.7.0"
