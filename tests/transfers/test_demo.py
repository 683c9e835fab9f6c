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
    assert "待开具介绍信 1 件" in lines[0]
    statuses = set(Transfer.objects.values_list("status", flat=True))
    assert statuses == {
        "requested",
        "accepted",
        "prepared",
        "letter_issued",
        "expired",
        "receipt_recorded",
        "registered",
    }
    reissued = Transfer.objects.get(letters__voided_at__isnull=False)
    assert Transfer.objects.filter(status="expired").count() == 1
    assert reissued.letters.count() == 2 and reissued.status == "letter_issued"
    assert reissued.events.filter(action="expire").exists()
    assert Member.objects.filter(status="transferring_out").count() == 3
    assert AuditEvent.objects.filter(action="transfer.issue_letter").count() == 5
    count = Transfer.objects.count()
    assert "未重复" in demo.seed(rng=random.Random(7), members=160)[0]
    assert Transfer.objects.count() == count
