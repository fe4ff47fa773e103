"""The web workbench: server-rendered screens (Jinja2 + vendored htmx) and a JSON API under ``/api``, both
thin adapters over the library and the store."""

from aibeian.web._app import create_app

__all__ = ["create_app"]
