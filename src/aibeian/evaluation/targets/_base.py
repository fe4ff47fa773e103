"""Targets: the customer's model under test. One built-in (``openai``: any OpenAI-compatible chat endpoint);
others register under the ``target`` kind, e.g. a provider with its own protocol."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aibeian.evaluation._client import ChatClient, ChatResult, ClientConfig
from aibeian.registry import Registry


class Target(Protocol):
    async def answer(self, messages: list[dict[str, str]]) -> ChatResult: ...

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]: ...

    def describe(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


TargetFactory = Callable[[ClientConfig], Target]
targets: Registry[TargetFactory] = Registry("target")


class OpenAITarget:
    """``POST {url}/v1/chat/completions`` with the bank item's messages."""

    def __init__(self, config: ClientConfig) -> None:
        self._client = ChatClient(config)
        self.config = config

    async def answer(self, messages: list[dict[str, str]]) -> ChatResult:
        return await self._client.chat(messages)

    def request_body(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        return self._client.request_body(messages)

    def describe(self) -> dict[str, Any]:
        return {"type": "openai", **self.config.public()}

    async def aclose(self) -> None:
        await self._client.aclose()


@targets.register("openai")
def openai_target(config: ClientConfig) -> Target:
    return OpenAITarget(config)
