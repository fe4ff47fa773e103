"""Shared plumbing of judges that call a model behind an OpenAI-compatible endpoint (``llm``, ``guard``)."""

from __future__ import annotations

from typing import Any

from aibeian.errors import InputError
from aibeian.evaluation._client import ChatClient, ClientConfig
from aibeian.evaluation.judges._base import JudgeContext


def judge_client(context: JudgeContext, name: str, model: str | None) -> ChatClient:
    """A client for the judge endpoint named by ``--judge-url`` / ``--judge-model``."""
    if not context.judge_url:
        raise InputError(
            f"the {name} judge needs a model endpoint",
            field="--judge-url",
            expected="the URL of an OpenAI-compatible server (vLLM, Ollama, a cloud API)",
        )
    model = model or context.judge_model
    if not model:
        raise InputError(
            f"the {name} judge needs a model name",
            field="--judge-model",
            expected=f"--judge-model NAME or --judge {name}:NAME",
        )
    config = ClientConfig(
        base_url=context.judge_url,
        model=model,
        api_key=context.judge_api_key,
        timeout=context.timeout,
        max_retries=context.max_retries,
        backoff=context.backoff,
        concurrency=context.concurrency,
        params={"temperature": 0},
    )
    return ChatClient(config)


def describe_client(client: ChatClient, name: str, version: str) -> dict[str, Any]:
    return {"name": name, "version": version, **client.config.public()}
