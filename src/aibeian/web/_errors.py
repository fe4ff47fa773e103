"""How failures reach a person: an HTML page for the screens, JSON under ``/api``, never a traceback."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from aibeian.errors import AibeianError, InputError, StorageError

__all__ = ["CsrfError", "ForbiddenError", "LoginRequiredError", "install_handlers"]


class LoginRequiredError(Exception):
    """No signed-in user: screens redirect to the login page, the API answers 401."""


class ForbiddenError(Exception):
    """Signed in, but the role does not allow this."""


class CsrfError(Exception):
    """A state-changing request without the session's CSRF token."""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _page(request: Request, status: int, title: tuple[str, str], message: str) -> Response:
    from aibeian.web._templates import render

    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


def _json(status: int, kind: str, message: str, problems: list[dict[str, object]] | None = None) -> Response:
    body: dict[str, object] = {"error": kind, "message": message}
    if problems is not None:
        body["problems"] = problems
    return JSONResponse(body, status_code=status)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, exc: LoginRequiredError) -> Response:
        if _is_api(request):
            return _json(401, "unauthorized", "sign in first")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, exc: ForbiddenError) -> Response:
        msg = "your role does not allow this"
        if _is_api(request):
            return _json(403, "forbidden", msg)
        return _page(request, 403, ("无权操作", "Not allowed"), "您的角色无权执行此操作。 / " + msg)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        msg = "the form's security token is missing or expired; reload the page and try again"
        if _is_api(request):
            return _json(403, "csrf", msg)
        return _page(
            request,
            403,
            ("表单已过期", "Form expired"),
            "表单安全令牌缺失或已过期，请刷新页面后重试。 / " + msg,
        )

    @app.exception_handler(LookupError)
    async def _missing(request: Request, exc: LookupError) -> Response:
        if _is_api(request):
            return _json(404, "not_found", f"not found: {exc}")
        return _page(request, 404, ("未找到", "Not found"), f"未找到 / not found: {exc}")

    @app.exception_handler(StorageError)
    async def _storage(request: Request, exc: StorageError) -> Response:
        return _storage_response(request, str(exc))

    @app.exception_handler(SQLAlchemyError)
    async def _driver(request: Request, exc: SQLAlchemyError) -> Response:
        orig = getattr(exc, "orig", None) or exc
        return _storage_response(request, f"database error: {str(orig).splitlines()[0]}")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        # FastAPI's default handler echoes the input back; input that is not valid Unicode (a lone
        # surrogate from a JSON escape) then cannot be encoded and the client gets a 500. Name the field
        # and what was expected instead, in our own error shape, without repeating what was sent.
        problems = [_validation_problem(error) for error in exc.errors()]
        message = "; ".join(f"{p['field']}: {p['message']}" for p in problems) or "invalid request"
        if _is_api(request):
            return _json(422, "input", message, problems)
        return _page(request, 422, ("输入有误", "Invalid input"), message)

    @app.exception_handler(UnicodeEncodeError)
    async def _not_unicode(request: Request, exc: UnicodeEncodeError) -> Response:
        # JSON may carry a lone surrogate ("\\ud800") that no database or page can store or show;
        # it reaches us as the driver's encode error, after validation, and nothing was written.
        message = "the text contains a lone surrogate (not valid Unicode); send it as UTF-8 text"
        if _is_api(request):
            return _json(422, "input", message, [{"field": None, "message": message}])
        return _page(
            request, 422, ("输入有误", "Invalid input"), "文本含有无效的 Unicode 字符。 / " + message
        )

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> Response:
        if _is_api(request):
            return _json(422, "input", str(exc), [p.to_dict() for p in exc.problems])
        return _page(request, 422, ("输入有误", "Invalid input"), str(exc))

    @app.exception_handler(AibeianError)
    async def _other(request: Request, exc: AibeianError) -> Response:
        if _is_api(request):
            return _json(500, type(exc).__name__, str(exc))
        return _page(request, 500, ("出错了", "Something failed"), str(exc))


def _validation_problem(error: object) -> dict[str, object]:
    detail = error if isinstance(error, dict) else {}
    location = [str(part) for part in detail.get("loc", ()) if part not in ("body", "query", "path", "form")]
    message = str(detail.get("msg", "invalid value")).encode("utf-8", "replace").decode("utf-8")
    return {
        "path": None,
        "line": None,
        "column": None,
        "field": ".".join(location) or None,
        "message": message,
        "expected": str(detail.get("type", "")) or None,
    }


def _storage_response(request: Request, message: str) -> Response:
    if _is_api(request):
        return _json(503, "storage", message)
    return _page(request, 503, ("数据库不可用", "Database unavailable"), message)
