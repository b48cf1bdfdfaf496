"""RFC 9457 problem details for every error the gateway returns; gRPC status codes mapped to HTTP."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import grpc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import trace
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("overstap.gateway")
PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://overstap.nl/problems/"

GRPC_TO_HTTP: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    # The request is valid but the resource's state does not allow it (e.g. a passport's consent limit reached).
    # 412 is kept for failed HTTP preconditions (If-Match).
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.CANCELLED: 499,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}
PROBLEM_TYPES = {
    400: "bad-request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    412: "precondition-failed",
    413: "payload-too-large",
    415: "unsupported-media-type",
    422: "validation-error",
    428: "precondition-required",
    429: "rate-limited",
    499: "cancelled",
    501: "not-implemented",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "gateway-timeout",
}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=[PROBLEM_BASE + "not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["unknown concept: http://data.europa.eu/esco/occupation/x"])
    instance: str | None = Field(default=None, examples=["/v1/taxonomy/concepts/x"])
    trace_id: str | None = Field(default=None, description="OpenTelemetry trace id of the request")
    errors: list[dict[str, Any]] | None = Field(default=None, description="Field errors (validation)")


class ProblemError(Exception):
    """Raise anywhere in a route to answer with a problem document."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Client Closed Request" if status == 499 else "Error"


def _trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def problem_response(
    request: Request,
    status: int,
    detail: str | None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    body = Problem(
        type=PROBLEM_BASE + PROBLEM_TYPES.get(status, "error"),
        title=_title(status),
        status=status,
        detail=detail,
        instance=request.url.path,
        trace_id=_trace_id(),
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE
    )


def route_of(request: Request) -> str:
    """The route template (``/v1/passports/{id}``), never the concrete path: logs carry no ids of persons."""
    route = request.scope.get("route")
    return getattr(route, "path", "unmatched")


def problem_from_rpc_error(request: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
    status = GRPC_TO_HTTP.get(exc.code(), 502)
    if status >= 500:
        # Never leak internals: the service's message is logged, a generic one answered.
        log.warning("upstream call failed", extra={"grpc_code": exc.code().name, "route": route_of(request)})
        detail = {
            503: "a backing service is unavailable; try again shortly",
            504: "a backing service did not answer in time",
        }.get(status, "a backing service failed")
        headers = {"Retry-After": "1"} if status == 503 else None
        return problem_response(request, status, detail, headers)
    return problem_response(request, status, exc.details())


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    cleaned = []
    for err in errors:
        cleaned.append(
            {"loc": [str(p) for p in err.get("loc", ())], "msg": err.get("msg", ""), "type": err.get("type", "")}
        )
    return cleaned


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, exc.headers)

    @app.exception_handler(grpc.aio.AioRpcError)
    async def _rpc(request: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        return problem_from_rpc_error(request, exc)

    @app.exception_handler(UnicodeEncodeError)
    async def _unencodable(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # JSON may carry lone surrogates (\ud800); no service can take them as text
        return problem_response(request, 400, "text must be valid Unicode (no unpaired surrogate code points)")

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem_response(request, 422, "the request is not valid", errors=_clean_errors(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(request, exc.status_code, detail, dict(exc.headers or {}))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"route": route_of(request)})
        return problem_response(request, 500, "an unexpected error occurred")
