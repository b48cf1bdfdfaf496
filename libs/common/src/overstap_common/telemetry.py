"""OpenTelemetry tracing, configured through the standard OTEL_* environment variables.

- ``OTEL_SERVICE_NAME`` names the service (default: the name passed in).
- ``OTEL_TRACES_EXPORTER``: ``otlp`` (default when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set), ``console``, or ``none`` (default otherwise).
- ``OTEL_SDK_DISABLED=true`` turns tracing off entirely.
- ``OTEL_TRACES_SAMPLER`` (standard values) overrides the default sampler: parent-based, recording a new trace
  only when something receives the spans (an exporter or a processor given to :func:`configure_tracing`). With
  nothing to receive them, spans still get trace ids (problem documents and logs carry them) but cost no recording.

Context is always propagated (W3C trace context), so traces stay whole even where one hop exports nothing.
"""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased, Sampler, SamplingResult


class RecordWhenReceived(Sampler):  # type: ignore[misc]
    """Parent-based sampling whose root decision is "record" once any span processor is installed."""

    def __init__(self) -> None:
        self.receiving = False
        self._on = ParentBased(ALWAYS_ON)
        self._off = ParentBased(ALWAYS_OFF)

    def should_sample(self, *args: object, **kwargs: object) -> SamplingResult:
        return (self._on if self.receiving else self._off).should_sample(*args, **kwargs)

    def get_description(self) -> str:
        return "RecordWhenReceived"


_provider: TracerProvider | None = None
_sampler = RecordWhenReceived()


def _exporter_from_env() -> SpanExporter | None:
    default = (
        "otlp"
        if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        else "none"
    )
    kind = os.environ.get("OTEL_TRACES_EXPORTER", default).strip().lower()
    if kind == "otlp":
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter()
    if kind == "console":
        return ConsoleSpanExporter()
    return None


def configure_tracing(service_name: str, extra_processor: SpanProcessor | None = None) -> TracerProvider | None:
    """Install a tracer provider once per process (later calls may add a processor). Returns it, or None when the
    SDK is disabled."""
    global _provider
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    if _provider is None:
        resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)})
        sampler = None if os.environ.get("OTEL_TRACES_SAMPLER") else _sampler  # None: the SDK reads the variable
        _provider = TracerProvider(resource=resource, sampler=sampler)
        exporter = _exporter_from_env()
        if exporter is not None:
            _add_processor(_provider, BatchSpanProcessor(exporter))
        trace.set_tracer_provider(_provider)
    if extra_processor is not None:
        _add_processor(_provider, extra_processor)
    return _provider


def _add_processor(provider: TracerProvider, processor: SpanProcessor) -> None:
    provider.add_span_processor(processor)
    _sampler.receiving = True
