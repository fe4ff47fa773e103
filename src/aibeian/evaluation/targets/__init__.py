"""The model under test, behind a registry of target kinds (built in: ``openai``)."""

from aibeian.evaluation.targets._base import OpenAITarget, Target, TargetFactory, targets

__all__ = ["OpenAITarget", "Target", "TargetFactory", "targets"]
