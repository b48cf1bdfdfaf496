"""The default sampler: trace ids always, recording only once something receives the spans, parents followed."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from overstap_common.telemetry import RecordWhenReceived


def test_spans_get_trace_ids_but_are_recorded_only_once_received() -> None:
    sampler = RecordWhenReceived()
    tracer = TracerProvider(sampler=sampler).get_tracer("test")
    quiet = tracer.start_span("nothing receives this")
    assert not quiet.is_recording() and quiet.get_span_context().is_valid  # problem documents still get an id
    sampler.receiving = True
    assert tracer.start_span("exported").is_recording()


def test_a_sampled_caller_is_followed_and_an_unsampled_one_too() -> None:
    sampler = RecordWhenReceived()
    tracer = TracerProvider(sampler=sampler).get_tracer("test")
    for flags, recorded in ((TraceFlags.SAMPLED, True), (TraceFlags.DEFAULT, False)):
        parent = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=True, trace_flags=TraceFlags(flags))
        child = tracer.start_span("child", context=trace.set_span_in_context(NonRecordingSpan(parent)))
        assert child.is_recording() is recorded
        assert child.get_span_context().trace_id == 0xABC
    sampler.receiving = True
    unsampled = SpanContext(trace_id=0xABC, span_id=0xDEF, is_remote=True, trace_flags=TraceFlags(TraceFlags.DEFAULT))
    assert not tracer.start_span("child", context=trace.set_span_in_context(NonRecordingSpan(unsampled))).is_recording()
