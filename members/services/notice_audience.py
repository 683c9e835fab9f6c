"""Whom a notice is for (`Audience`), as callers of `notice_publish` build it."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from members.models import Notice, Organization, Skill, User

A = Notice.Audience


@dataclass(frozen=True)
class Audience:
    """Whom a notice is for. Build with the class methods."""

    type: str
    organization: Organization | None = None
    users: tuple = ()
    skills: tuple = ()
    provinces: tuple = field(default_factory=tuple)

    @classmethod
    def user(cls, user: User) -> "Audience":
        return cls(type=A.USERS, users=(user,))

    @classmethod
    def user_list(cls, users: Iterable[User]) -> "Audience":
        return cls(type=A.USERS, users=tuple(users))

    @classmethod
    def subtree(
        cls,
        organization: Organization,
        *,
        skills: Sequence[Skill] = (),
        provinces: Sequence[str] = (),
    ) -> "Audience":
        """Members whose home organisation is `organization` or below; if skills or
        provinces are given, only those with any of the skills or in any of the provinces."""
        return cls(
            type=A.SUBTREE,
            organization=organization,
            skills=tuple(skills),
            provinces=tuple(provinces),
        )

    @classmethod
    def temporary_branch(cls, branch: Organization) -> "Audience":
        return cls(type=A.TEMPORARY_BRANCH, organization=branch)

    @classmethod
    def hosted(cls, host: Organization) -> "Audience":
        return cls(type=A.HOSTED, organization=host)

    @classmethod
    def staff(cls, organization: Organization) -> "Audience":
        """The staff holding a grant on exactly this organisation."""
        return cls(type=A.STAFF, organization=organization)
