import pytest


@pytest.fixture(autouse=True)
def _cheap_argon2(settings):  # type: ignore[no-untyped-def]
    """Tests use a small Argon2 cost; the benchmark measures the production cost."""
    settings.ARGON2_TIME_COST = 1
    settings.ARGON2_MEMORY_KIB = 64
