"""Fixtures more than one service-test module uses."""
from tests.service.test_notifications_service import notifications  # noqa: F401  a fixture
