"""Sign-in attempts: a few failures a minute per username and per address, then a wait."""

from __future__ import annotations

from accounts.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_sixth_failure_within_a_minute_waits_for_the_first_to_age() -> None:
    clock = Clock()
    throttle = SignInThrottle(5, 60.0, clock=clock)
    keys = throttle.keys("Ana", "10.0.0.1")
    for _ in range(5):
        assert throttle.retry_after(keys) is None
        throttle.failed(keys)
        clock.now += 1
    assert throttle.retry_after(keys) == 55  # now 1005; the first failure ages out at 1060
    assert throttle.retry_after(throttle.keys("ana", "10.0.0.2")) == 55  # the username counts
    assert throttle.retry_after(throttle.keys("bob", "10.0.0.1")) == 55  # so does the address
    assert throttle.retry_after(throttle.keys("bob", "10.0.0.2")) is None
    clock.now = 1060.5
    assert throttle.retry_after(keys) is None


def test_a_success_clears_its_username_but_not_its_address() -> None:
    clock = Clock()
    throttle = SignInThrottle(2, 60.0, clock=clock)
    keys = throttle.keys("ana", "10.0.0.1")
    throttle.failed(keys)
    throttle.failed(keys)
    throttle.succeeded("ana")
    assert throttle.retry_after(throttle.keys("ana", None)) is None
    assert throttle.retry_after(throttle.keys("ana", "10.0.0.1")) == 60


def test_the_table_is_bounded() -> None:
    throttle = SignInThrottle(1, 60.0, max_keys=10, clock=Clock())
    for n in range(100):
        throttle.failed([f"user:{n}"])
    assert throttle.retry_after(["user:99"]) is not None
    assert throttle.retry_after(["user:0"]) is None  # the oldest went first
