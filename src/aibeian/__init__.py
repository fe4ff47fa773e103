"""aibeian: a workbench for China's CAC filings for AI services (算法备案, 大模型备案, 生成式AI登记)."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """``__version__`` from the installed package's metadata, read on first use: importing
    importlib.metadata costs ≈30 ms, which every command and every scan worker would pay at start-up."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("aibeian")
    except PackageNotFoundError:  # pragma: no cover - only when run from a source tree without install
        found = "0.0.0"
    globals()["__version__"] = found
    return found
