"""REST gateway: the one door to Overstap."""
