"""What this installation can do: each optional engine, tool, font and data set the features rely on, found
or not, with what it is needed for and how to install it. Users run it first when something is missing;
support asks for its JSON."""

from aibeian.doctor._checks import Check, run_checks

__all__ = ["Check", "run_checks"]
