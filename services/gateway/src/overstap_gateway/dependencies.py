"""FastAPI dependencies shared by the routers: who is calling (bearer token → Principal, scopes checked) and the
service stubs that carry that caller, signed, on every gRPC call."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, SecurityScopes
from overstap_common.principal import Principal, encode_principal

from overstap_gateway.auth import InvalidToken, TokenVerifier
from overstap_gateway.auth.keys import KeysUnavailable
from overstap_gateway.clients import ServiceClients
from overstap_gateway.problems import ProblemError

log = logging.getLogger("overstap.gateway.auth")

REALM = "overstap"
bearer = HTTPBearer(
    auto_error=False,
    bearerFormat="JWT",
    scheme_name="bearer",
    description=(
        "OAuth2 access token (JWT) from your identity provider: organisations use client credentials, persons and "
        "coaches sign in through their organisation. In development: `uv run overstap token --subject alice "
        "--role person` prints one."
    ),
)


async def get_clients(request: Request) -> ServiceClients:  # async: a sync dependency would hop to a thread
    clients: ServiceClients = request.app.state.clients
    return clients


Clients = Annotated[ServiceClients, Depends(get_clients)]


def _quoted(text: str) -> str:
    return text.replace("\\", "").replace('"', "'")


def _unauthenticated(detail: str, error: str | None = "invalid_token") -> ProblemError:
    challenge = f'Bearer realm="{REALM}"'
    if error:
        challenge += f', error="{error}", error_description="{_quoted(detail)}"'
    return ProblemError(401, detail, headers={"WWW-Authenticate": challenge})


async def authenticate(
    request: Request,
    security_scopes: SecurityScopes,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The verified caller; 401 without a valid bearer token, 403 when it lacks a scope the route needs."""
    if credentials is None:
        if "authorization" in request.headers:
            raise _unauthenticated("the Authorization header must be: Bearer <access token>", "invalid_request")
        raise _unauthenticated("an access token is required (Authorization: Bearer <token>)", error=None)
    verifier: TokenVerifier = request.app.state.verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except InvalidToken as exc:
        log.info("token refused", extra={"reason": exc.reason})
        raise _unauthenticated(exc.public) from None
    except KeysUnavailable:
        raise ProblemError(
            503, "access tokens cannot be verified right now; try again shortly", {"Retry-After": "5"}
        ) from None
    missing = [s for s in security_scopes.scopes if not principal.has_scope(s)]
    if missing:
        needed = " ".join(security_scopes.scopes)
        raise ProblemError(
            403,
            f"the access token lacks the scope(s): {', '.join(missing)}",
            headers={"WWW-Authenticate": f'Bearer realm="{REALM}", error="insufficient_scope", scope="{needed}"'},
        )
    return principal


class SignedStub:
    """A gRPC stub whose every call carries the caller as signed metadata (x-overstap-principal), freshly signed."""

    def __init__(self, stub: Any, principal: Principal, key: str) -> None:
        self._stub = stub
        self._principal = principal
        self._key = key

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._stub, name)

        def call(request: Any, **kwargs: Any) -> Any:
            metadata = [*kwargs.pop("metadata", ()), *encode_principal(self._principal, self._key)]
            return method(request, metadata=metadata, **kwargs)

        return call


@dataclass(frozen=True)
class Caller:
    """The authenticated caller and the services, as that caller."""

    principal: Principal
    taxonomy: Any
    passport: Any
    matcher: Any
    vacancy: Any


def enforce_rate_limit(request: Request, principal: Principal) -> None:
    limiter = request.app.state.rate_limiter
    if limiter is None:
        return
    wait = limiter.acquire(principal.party)
    if wait > 0:
        raise ProblemError(
            429, "too many requests from your client; slow down", headers={"Retry-After": str(max(1, math.ceil(wait)))}
        )


async def caller(request: Request, principal: Annotated[Principal, Security(authenticate)], clients: Clients) -> Caller:
    enforce_rate_limit(request, principal)
    key = request.app.state.settings.principal_key.get_secret_value()
    return Caller(
        principal=principal,
        taxonomy=SignedStub(clients.taxonomy, principal, key),
        passport=SignedStub(clients.passport, principal, key),
        matcher=SignedStub(clients.matcher, principal, key),
        vacancy=SignedStub(clients.vacancy, principal, key),
    )


TaxonomyReader = Annotated[Caller, Security(caller, scopes=["taxonomy:read"])]
PassportReader = Annotated[Caller, Security(caller, scopes=["passport:read"])]
PassportWriter = Annotated[Caller, Security(caller, scopes=["passport:write"])]
MatchReader = Annotated[Caller, Security(caller, scopes=["match:read"])]
PassportMatchReader = Annotated[Caller, Security(caller, scopes=["match:read", "passport:read"])]
CandidateSearcher = Annotated[Caller, Security(caller, scopes=["passport:candidates"])]
VacancyReader = Annotated[Caller, Security(caller, scopes=["vacancy:read"])]
VacancyWriter = Annotated[Caller, Security(caller, scopes=["vacancy:write"])]
