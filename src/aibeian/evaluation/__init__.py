"""Model evaluation against the filing thresholds: run banks against a target, judge every answer, record
everything in a resumable run directory, and compute the three filing numbers."""

from aibeian.evaluation._client import (
    ChatClient,
    ChatResult,
    ClientConfig,
    FatalTargetError,
    api_key_from_env,
)
from aibeian.evaluation._outcome import Outcome, decide
from aibeian.evaluation._records import RunDirectory
from aibeian.evaluation._report import EvaluationReport, build_report, write_report
from aibeian.evaluation._runner import (
    Progress,
    RunConfig,
    RunSummary,
    finalise,
    latest_records,
    run,
    run_async,
    select_items,
)

__all__ = [
    "ChatClient",
    "ChatResult",
    "ClientConfig",
    "EvaluationReport",
    "FatalTargetError",
    "Outcome",
    "Progress",
    "RunConfig",
    "RunDirectory",
    "RunSummary",
    "api_key_from_env",
    "build_report",
    "decide",
    "finalise",
    "latest_records",
    "run",
    "run_async",
    "select_items",
    "write_report",
]
