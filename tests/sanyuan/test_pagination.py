import pytest

from sanyuan.api import CappedCountPaginator
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_counts_stop_at_the_cap_and_say_so(world, monkeypatch):
    for _ in range(4):
        factories.MemberFactory(organization=world.branch_a1)
    client = client_for(world.county_staff)
    exact = client.get("/api/members/").json()
    assert exact["count"] == 7 and exact["count_capped"] is False
    monkeypatch.setattr(CappedCountPaginator, "COUNT_CAP", 5)
    capped = client.get("/api/members/?page_size=2").json()
    assert capped["count"] == 5 and capped["count_capped"] is True
    assert len(capped["results"]) == 2 and capped["next"]
