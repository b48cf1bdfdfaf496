"""OpenTelemetry tracing, configured through the standard OTEL_* environment variables.

- ``OTEL_SERVICE_NAME`` names the service (default: the name passed in).
- ``OTEL_TRACES_EXPORTER``: ``otlp`` (default when ``OTEL_EXPORTER_OTLP_ENDPOINT`` or
  ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` is set), ``console``, or ``none`` (default otherwise).
- ``OTEL_SDK_DISABLED=true`` turns tracing off entirely.

Context is always propagated (W3C trace context), so traces stay whole even where one hop exports nothing.
"""

from __future__ import annotations

import os

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

_configured = False


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
    """Install a tracer provider once per process. Returns it, or None when the SDK is disabled."""
    global _configured
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    if _configured:
        provider = trace.get_tracer_provider()
        return provider if isinstance(provider, TracerProvider) else None
    resource = Resource.create({"service.name": os.environ.get("OTEL_SERVICE_NAME", service_name)})
    provider = TracerProvider(resource=resource)
    exporter = _exporter_from_env()
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    if extra_processor is not None:
        provider.add_span_processor(extra_processor)
    trace.set_tracer_provider(provider)
    _configured = True
    return provider
