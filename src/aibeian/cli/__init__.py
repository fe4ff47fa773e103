"""The ``aibeian`` command line: thin click adapters over the library, one module per command group."""

from aibeian.cli.main import cli, main

__all__ = ["cli", "main"]
