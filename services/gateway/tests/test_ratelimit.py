from hypothesis import given
from hypothesis import strategies as st
from overstap_gateway.ratelimit import RateLimiter


def test_burst_then_refusal_then_refill() -> None:
    limiter = RateLimiter(per_minute=60, burst=2)
    assert limiter.acquire("uwv", now=0.0) == 0
    assert limiter.acquire("uwv", now=0.0) == 0
    wait = limiter.acquire("uwv", now=0.0)
    assert 0 < wait <= 1.0
    assert limiter.acquire("gemeente", now=0.0) == 0  # another client has its own bucket
    assert limiter.acquire("uwv", now=1.0) == 0  # one token back after a second at 60/min


@given(st.integers(min_value=1, max_value=50), st.integers(min_value=1, max_value=600))
def test_never_more_than_the_burst_at_once(burst: int, per_minute: int) -> None:
    limiter = RateLimiter(per_minute=per_minute, burst=burst)
    allowed = sum(1 for _ in range(burst + 10) if limiter.acquire("c", now=5.0) == 0)
    assert allowed == burst
