"""VacancyService over gRPC (grpc.aio).

Every call: decode the signed principal from the metadata (UNAUTHENTICATED when missing, forged or expired), hand
the request to the application, map its errors to status codes. No business rule lives here.

Requests are registered with lenient deserializers (:func:`register`): a message that does not parse (a string
field holding invalid UTF-8 from a hand-rolled client) is INVALID_ARGUMENT with a clear message, where gRPC
would answer UNKNOWN.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

import grpc
from google.protobuf.message import DecodeError, Message
from overstap.vacancy.v1 import vacancy_pb2 as pb
from overstap.vacancy.v1 import vacancy_pb2_grpc as pb_grpc
from overstap_common.principal import InvalidPrincipal, Principal, decode_principal
from sqlalchemy.exc import IntegrityError, OperationalError

from overstap_extractor.api import convert
from overstap_extractor.application.vacancies import VacancyService
from overstap_extractor.domain import errors

log = logging.getLogger("overstap.vacancy.api")
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["VacancyService"].full_name

STATUS: dict[type[errors.VacancyError], grpc.StatusCode] = {
    errors.InvalidInput: grpc.StatusCode.INVALID_ARGUMENT,
    errors.NotFound: grpc.StatusCode.NOT_FOUND,
    errors.AccessDenied: grpc.StatusCode.PERMISSION_DENIED,
    errors.Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    errors.StaleVersion: grpc.StatusCode.ABORTED,
    errors.Conflict: grpc.StatusCode.ABORTED,
    errors.Busy: grpc.StatusCode.RESOURCE_EXHAUSTED,
}

Request = TypeVar("Request")
Response = TypeVar("Response")


class UndecodableRequest:
    """Stands in for a request message that did not parse."""

    def __init__(self, message_type: str, reason: str) -> None:
        self.message_type = message_type
        self.reason = reason


def status_for(exc: BaseException) -> tuple[grpc.StatusCode, str] | None:
    if isinstance(exc, errors.VacancyError):
        return STATUS.get(type(exc), grpc.StatusCode.INVALID_ARGUMENT), str(exc)
    if isinstance(exc, IntegrityError):
        return grpc.StatusCode.ABORTED, "a concurrent change conflicted with this one; read the vacancy again and retry"
    if isinstance(exc, OperationalError) and "locked" in str(exc).lower():
        return grpc.StatusCode.UNAVAILABLE, "the vacancy store is busy; retry"
    return None


def _check_decoded(request: object) -> None:
    if isinstance(request, UndecodableRequest):
        raise errors.InvalidInput(
            f"the request is not a valid {request.message_type} ({request.reason}); string fields must be "
            "UTF-8: send raw bytes in the content field"
        )


def handled(
    method: Callable[[Any, Request, grpc.aio.ServicerContext], Awaitable[Response]],
) -> Callable[[Any, Request, grpc.aio.ServicerContext], Awaitable[Response]]:
    @functools.wraps(method)
    async def wrapper(self: Any, request: Request, context: grpc.aio.ServicerContext) -> Response:
        try:
            _check_decoded(request)
            return await method(self, request, context)
        except (errors.VacancyError, IntegrityError, OperationalError) as exc:
            mapped = status_for(exc)
            if mapped is None:
                await _internal(context, method.__name__)
                raise
            log.info("request refused", extra={"rpc": method.__name__, "code": mapped[0].name})
            await context.abort(*mapped)
            raise  # unreachable: abort raises
        except grpc.aio.AbortError:
            raise
        except Exception:
            await _internal(context, method.__name__)
            raise

    return wrapper


async def _internal(context: grpc.aio.ServicerContext, rpc: str) -> None:
    """A failure of ours, not the caller's: logged with its traceback, answered without internals."""
    log.exception("request failed", extra={"rpc": rpc})
    await context.abort(grpc.StatusCode.INTERNAL, "the vacancy service failed on this request; it has been logged")


class VacancyServicer(pb_grpc.VacancyServiceServicer):
    def __init__(self, service: VacancyService, principal_key: str, principal_max_age: float = 300) -> None:
        self.service = service
        self._key = principal_key
        self._max_age = principal_max_age

    def _principal(self, context: grpc.aio.ServicerContext) -> Principal:
        try:
            return decode_principal(context.invocation_metadata(), self._key, max_age=self._max_age)
        except InvalidPrincipal as exc:
            raise errors.Unauthenticated(str(exc)) from None

    def _today(self) -> date:
        return self.service.clock().date()

    @handled
    async def ExtractSkills(self, request: pb.ExtractSkillsRequest, context: Any) -> pb.ExtractSkillsResponse:
        principal = self._principal(context)
        extraction = await self.service.extract(
            principal, convert.body(request), convert.text_format(request.format), request.language, request.title,
            request.max_occupations,
        )  # fmt: skip
        return convert.extraction_pb(extraction)

    @handled
    async def RankSkills(self, request: pb.RankSkillsRequest, context: Any) -> pb.RankSkillsResponse:
        ranking = await self.service.rank(self._principal(context), request.text, request.language, request.limit)
        return convert.ranking_pb(ranking)

    @handled
    async def UpsertVacancy(self, request: pb.UpsertVacancyRequest, context: Any) -> pb.UpsertVacancyResponse:
        principal = self._principal(context)
        result = await self.service.upsert(principal, convert.upsert_in(request), request.expected_version)
        return pb.UpsertVacancyResponse(
            vacancy=convert.vacancy_pb(result.vacancy, self._today()), created=result.created, changed=result.changed
        )

    @handled
    async def GetVacancy(self, request: pb.GetVacancyRequest, context: Any) -> pb.GetVacancyResponse:
        vacancy = await self.service.get(self._principal(context), request.vacancy_id, request.external_id)
        return pb.GetVacancyResponse(vacancy=convert.vacancy_pb(vacancy, self._today()))

    @handled
    async def ListVacancies(self, request: pb.ListVacanciesRequest, context: Any) -> pb.ListVacanciesResponse:
        rows, token = await self.service.list(
            self._principal(context), request.page_size, request.page_token, request.include_expired
        )
        today = self._today()
        return pb.ListVacanciesResponse(
            vacancies=[convert.vacancy_pb(v, today, full=False) for v in rows], next_page_token=token
        )

    @handled
    async def UpdateVacancySkills(
        self, request: pb.UpdateVacancySkillsRequest, context: Any
    ) -> pb.UpdateVacancySkillsResponse:
        principal = self._principal(context)
        vacancy = await self.service.update_skills(
            principal, request.vacancy_id, request.expected_version, convert.edits_in(list(request.edits))
        )
        return pb.UpdateVacancySkillsResponse(vacancy=convert.vacancy_pb(vacancy, self._today()))

    @handled
    async def DeleteVacancy(self, request: pb.DeleteVacancyRequest, context: Any) -> pb.DeleteVacancyResponse:
        vacancy_id = await self.service.delete(self._principal(context), request.vacancy_id, request.expected_version)
        return pb.DeleteVacancyResponse(vacancy_id=vacancy_id)

    async def ListVacancySkillSets(
        self, request: pb.ListVacancySkillSetsRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ListVacancySkillSetsResponse]:
        try:
            _check_decoded(request)
            pages = self.service.skill_set_pages(self._principal(context), request.page_size, request.page_token)
            async for page in pages:
                yield pb.ListVacancySkillSetsResponse(
                    skill_sets=[convert.skill_set_pb(v) for v in page.vacancies],
                    change_token=page.change_token,
                    next_page_token=page.next_token,
                )
        except (errors.VacancyError, IntegrityError, OperationalError) as exc:
            mapped = status_for(exc)
            if mapped is None:
                await _internal(context, "ListVacancySkillSets")
            else:
                await context.abort(*mapped)
        except grpc.aio.AbortError:
            raise
        except Exception:
            await _internal(context, "ListVacancySkillSets")

    @handled
    async def ListVacancyChanges(
        self, request: pb.ListVacancyChangesRequest, context: Any
    ) -> pb.ListVacancyChangesResponse:
        page = await self.service.changes(self._principal(context), request.change_token, request.page_size)
        return pb.ListVacancyChangesResponse(
            changes=[
                pb.VacancyChange(vacancy_id=c.vacancy.id, kind=pb.CHANGE_KIND_REMOVED)
                if c.removed
                else pb.VacancyChange(
                    vacancy_id=c.vacancy.id, kind=pb.CHANGE_KIND_UPSERTED, skill_set=convert.skill_set_pb(c.vacancy)
                )
                for c in page.changes
            ],
            next_change_token=page.next_token,
            has_more=page.has_more,
        )


def _lenient(message_class: type[Message]) -> Callable[[bytes], object]:
    def parse(raw: bytes) -> object:
        try:
            return message_class.FromString(raw)
        except DecodeError as exc:
            return UndecodableRequest(message_class.DESCRIPTOR.name, str(exc).rsplit(":", 1)[-1].strip())

    return parse


def register(servicer: VacancyServicer, server: grpc.aio.Server) -> None:
    """Like ``add_VacancyServiceServicer_to_server``, with requests that fail to parse handed to the servicer."""
    handlers = {}
    for method in pb.DESCRIPTOR.services_by_name["VacancyService"].methods:
        request_class = getattr(pb, method.input_type.name)
        response_class = getattr(pb, method.output_type.name)
        factory = (
            grpc.unary_stream_rpc_method_handler if method.server_streaming else grpc.unary_unary_rpc_method_handler
        )
        handlers[method.name] = factory(
            getattr(servicer, method.name),
            request_deserializer=_lenient(request_class),
            response_serializer=response_class.SerializeToString,
        )
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)
