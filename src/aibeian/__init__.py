"""aibeian: a workbench for China's CAC filings for AI services (算法备案, 大模型备案, 生成式AI登记)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("aibeian")
except PackageNotFoundError:  # pragma: no cover - only when run from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
