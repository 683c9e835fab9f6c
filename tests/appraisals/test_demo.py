"""The demo county gets two rounds of 民主评议党员, once."""

import random

import pytest

from appraisals import demo
from appraisals.models import Appraisal, AppraisalParticipant, BallotRegister, SelfAssessment
from members import demo as members_demo

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_a_round_in_its_ballot_and_one_awaiting_decisions_once():
    members_demo.seed(rng=random.Random(7), members=160)
    lines = demo.seed(rng=random.Random(7), members=160)
    assert len(lines) == 2, lines
    assert Appraisal.objects.count() == 2
    assert SelfAssessment.objects.exists() and BallotRegister.objects.exists()
    assert AppraisalParticipant.objects.filter(decision="pending_approval").count() == 1
    assert Appraisal.objects.exclude(ballot_closed_at=None).count() == 1
    assert "未重复" in demo.seed(rng=random.Random(7), members=160)[0]
    assert Appraisal.objects.count() == 2
