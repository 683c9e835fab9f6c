from django.db import models
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Organization(models.Model):
    """A node of the party organisation tree, stored with a materialised path.

    `path` is `/<id>/<id>/…/<own id>/`: every descendant's path starts with it, so
    "all descendants" is one prefix query on an indexed column (varchar_pattern_ops on
    PostgreSQL), and the ancestors are the ids in the path.
    """

    class Kind(models.TextChoices):
        PROVINCE = "province", "省"
        CITY = "city", "市"
        COUNTY = "county", "县（区）"
        COMMITTEE = "committee", "基层党（工）委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        TEMPORARY_BRANCH = "temporary_branch", "临时党支部"
        HOST = "host", "流入地党组织"

    # A grant on one of these kinds is the county tier (top of an installation).
    TOP_KINDS = (Kind.PROVINCE, Kind.CITY, Kind.COUNTY)

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("组织名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField("层级", default=0, editable=False)
    # A temporary branch serves the members gathered in one destination city (GB/T 2260).
    region_code = models.CharField("所在城市代码", max_length=6, blank=True, db_index=True)
    dissolved_at = models.DateTimeField("撤销时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        ordering = ["path"]
        permissions = [("manage_organization", "管理本组织及其下级组织")]

    def __str__(self):
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part][:-1]

    def is_descendant_of(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    """django-guardian grants on organisations, in their own table with a real foreign key
    (guardian's generic table does not scale and cannot be joined cheaply)."""

    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "组织授权（用户）"
        verbose_name_plural = "组织授权（用户）"


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "组织授权（用户组）"
        verbose_name_plural = "组织授权（用户组）"
