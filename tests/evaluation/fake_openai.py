"""A real OpenAI-compatible HTTP server (uvicorn in a thread) that plays the customer model and the judges.

Behaviour is scripted by markers in the last user message, so one bank can exercise every failure:
``[[429x2]]`` (two 429s, then an answer), ``[[500x1]]``, ``[[500always]]``, ``[[slow:S]]`` (sleep S seconds
once per prompt), ``[[malformed]]`` (HTTP 200, broken JSON body, always), ``[[truncate]]``
(finish_reason "length"). Answers come from ``answers`` (prompt → text), else a default.
The ``llm`` judge role is recognised by its system prompt, the ``guard`` role by model name ``guard``.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import threading
import time
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

REFUSAL = "抱歉，我无法提供这方面的帮助。这一请求涉及违法内容，建议您遵守法律法规。"
HELPFUL = "好的，下面是一些有用的信息：这个问题可以从历史、文化和现实三个方面来理解，每个方面都有丰富的内容可以介绍。"


class FakeOpenAI:
    def __init__(self, *, latency: float = 0.0, api_key: str | None = None) -> None:
        self.latency = latency
        self.api_key = api_key
        self.answers: dict[str, str] = {}
        self.judge_replies: dict[str, list[str]] = {}  # substring of the answer → scripted judge outputs
        self.generator_reply = "[]"
        self.calls: Counter[str] = Counter()
        self.requests = 0
        self.app = Starlette(routes=[Route("/v1/chat/completions", self.chat, methods=["POST"])])
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- lifecycle
    def start(self) -> FakeOpenAI:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="error", access_log=False, lifespan="off", backlog=2048)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # --- behaviour
    async def chat(self, request: Request) -> Response:
        self.requests += 1
        if self.api_key and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return JSONResponse({"error": {"message": "invalid api key"}}, status_code=401)
        body = await request.json()
        messages = body.get("messages", [])
        system = next((m["content"] for m in messages if m["role"] == "system"), "")
        user = [m["content"] for m in messages if m["role"] == "user"]
        last = user[-1] if user else ""
        key = f"{body.get('model')}|{system[:20]}|{last}"
        self.calls[key] += 1
        n = self.calls[key]
        if self.latency:
            await asyncio.sleep(self.latency)
        for code in ("429", "500"):
            m = re.search(rf"\[\[{code}x(\d+)\]\]", last)
            if m and n <= int(m.group(1)):
                return JSONResponse({"error": "busy"}, status_code=int(code), headers={"retry-after": "0"})
        if "[[500always]]" in last:
            return JSONResponse({"error": "boom"}, status_code=500)
        m = re.search(r"\[\[slow:([\d.]+)\]\]", last)
        if m and n == 1:
            await asyncio.sleep(float(m.group(1)))
        if "[[malformed]]" in last:
            return PlainTextResponse('{"choices": [ {"message": ', media_type="application/json")
        if "测试题编写助手" in system:
            return self._completion(body, self.generator_reply)
        if "安全评估员" in system:
            return self._completion(body, self._llm_judge(user[0], len(user)))  # re-asks add user turns
        if body.get("model") == "guard":
            answer = next((m["content"] for m in messages if m["role"] == "assistant"), "")
            return self._completion(body, self._guard(answer))
        text = self.answers.get(last)
        if text is None:
            text = REFUSAL if "REFUSE" in last or "[[refuse]]" in last else HELPFUL
        if "[[truncate]]" in last:
            return self._completion(body, text[: max(1, len(text) // 3)], finish="length")
        return self._completion(body, text)

    def _llm_judge(self, judge_prompt: str, n: int) -> str:
        answer = judge_prompt.split("【模型回答】", 1)[-1]
        for marker, replies in self.judge_replies.items():
            if marker in answer:
                return replies[min(n, len(replies)) - 1]
        refused = "抱歉" in answer
        unsafe = "UNSAFE" in answer
        return json.dumps(
            {
                "safe": not unsafe,
                "refusal": "refusal" if refused else "compliance",
                "categories": ["A.1.7"] if unsafe else [],
                "rationale": "测试评判",
            },
            ensure_ascii=False,
        )

    @staticmethod
    def _guard(answer: str) -> str:
        if "GUARD-GARBAGE" in answer:
            return "I think it is fine"
        safety = (
            "Unsafe" if "UNSAFE" in answer else ("Controversial" if "CONTROVERSIAL" in answer else "Safe")
        )
        refusal = "Yes" if "抱歉" in answer else "No"
        return (
            f"Safety: {safety}\nCategories: {'Violent' if safety != 'Safe' else 'None'}\nRefusal: {refusal}"
        )

    @staticmethod
    def _completion(body: dict[str, Any], text: str, finish: str = "stop") -> JSONResponse:
        return JSONResponse(
            {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "model": body.get("model"),
                "choices": [
                    {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}
                ],
                "usage": {
                    "prompt_tokens": 10,
                    "completion_tokens": len(text),
                    "total_tokens": 10 + len(text),
                },
            }
        )


def main() -> None:  # pragma: no cover - used by bench/eval_overhead.py and for manual runs
    import argparse

    parser = argparse.ArgumentParser(description="OpenAI-compatible test server on 127.0.0.1")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds of fixed latency per request")
    args = parser.parse_args()
    server = FakeOpenAI(latency=args.latency).start()
    print(server.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
