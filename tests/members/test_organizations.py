import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Organization
from members.services.organizations import organization_move
from sanyuan.errors import ServiceError
from tests import factories

K = Organization.Kind
pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    county = factories.organization("三原县", K.COUNTY)
    a = factories.organization("甲党委", K.COMMITTEE, county)
    a1 = factories.organization("甲一支部", K.BRANCH, a)
    b = factories.organization("乙党委", K.COMMITTEE, county)
    b_general = factories.organization("乙总支", K.GENERAL_BRANCH, b)
    b1 = factories.organization("乙一支部", K.BRANCH, b_general)
    return county, a, a1, b, b_general, b1


def test_paths_encode_the_ancestry(tree):
    county, a, a1, *_ = tree
    assert county.path == f"/{county.pk}/"
    assert a1.path == f"/{county.pk}/{a.pk}/{a1.pk}/"
    assert a1.depth == 2
    assert a1.ancestor_ids == [county.pk, a.pk]


def test_all_descendants_is_one_query(tree):
    county, a, a1, b, b_general, b1 = tree
    with CaptureQueriesContext(connection) as queries:
        names = set(
            Organization.objects.filter(path__startswith=b.path).values_list("name", flat=True)
        )
    assert names == {"乙党委", "乙总支", "乙一支部"}
    assert len(queries) == 1


def test_all_ancestors_is_one_query(tree):
    county, a, a1, *_ = tree
    with CaptureQueriesContext(connection) as queries:
        ancestors = list(Organization.objects.filter(pk__in=a1.ancestor_ids).order_by("depth"))
    assert ancestors == [county, a]
    assert len(queries) == 1


def test_moving_an_organisation_moves_its_subtree(tree):
    county, a, a1, b, b_general, b1 = tree
    organization_move(organization=b_general, new_parent=a)
    b_general.refresh_from_db()
    b1.refresh_from_db()
    assert b_general.parent == a
    assert b1.path == f"{a.path}{b_general.pk}/{b1.pk}/"
    assert b1.depth == 3
    assert set(
        Organization.objects.filter(path__startswith=a.path).values_list("pk", flat=True)
    ) == {
        a.pk,
        a1.pk,
        b_general.pk,
        b1.pk,
    }
    assert list(Organization.objects.filter(path__startswith=b.path)) == [b]


def test_an_organisation_cannot_move_under_its_own_descendant(tree):
    county, a, a1, b, b_general, b1 = tree
    with pytest.raises(ServiceError, match="下级组织之下"):
        organization_move(organization=b, new_parent=b_general)


def test_kinds_must_fit_their_parent(tree):
    county, a, a1, *_ = tree
    with pytest.raises(ServiceError, match="不能设在"):
        factories.organization("错误", K.COMMITTEE, a1)
    with pytest.raises(ServiceError, match="必须有上级组织"):
        factories.organization("无上级支部", K.BRANCH, None)
    # Host organisations at the destination may form their own tree.
    assert factories.organization("深圳流入地党委", K.HOST, None).depth == 0
