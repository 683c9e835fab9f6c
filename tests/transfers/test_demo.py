"""The demo county gets a few transfers in different states, once."""

import random

import pytest

from members import demo as members_demo
from members.models import AuditEvent, Member
from transfers import demo
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_transfers_in_different_states_once():
    members_demo.seed(rng=random.Random(7), members=160)
    lines = demo.seed(rng=random.Random(7), members=160)
    assert lines[0].startswith("组织关系转接")
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert statuses == {
        "requested",
        "accepted",
        "prepared",
        "letter_issued",
        "receipt_recorded",
        "registered",
    }
    reissued = Transfer.objects.get(letters__voided_at__isnull=False)
    assert reissued.letters.count() == 2 and reissued.status == "letter_issued"
    assert reissued.events.filter(action="expire").exists()
    assert Member.objects.filter(status="transferring_out").count() == 2
    assert AuditEvent.objects.filter(action="transfer.issue_letter").count() == 4
    count = Transfer.objects.count()
    assert "未重复" in demo.seed(rng=random.Random(7), members=160)[0]
    assert Transfer.objects.count() == count
