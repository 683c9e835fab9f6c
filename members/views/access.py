"""One answer for pages, mirroring the API's access classes (members.api.access): anonymous
visitors are sent to log in; a signed-in account of the wrong tier gets 403 (a member on a
staff page, staff on a member's own page); objects outside the user's scope are 404, raised
by the selectors and `check_*` functions. Every app's page mixins are these."""

from django.contrib.auth.mixins import LoginRequiredMixin

from members import permissions


class SignedInPageMixin(LoginRequiredMixin):
    """Any tier (county, committee, host staff or a member); an account without a tier
    gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.check_tier(request.user)
        return super().dispatch(request, *args, **kwargs)

    def check_tier(self, user) -> None:
        permissions.check_signed_in(user)


class StaffPageMixin(SignedInPageMixin):
    """Staff of any tier."""

    def check_tier(self, user) -> None:
        permissions.check_staff(user)


class MemberPageMixin(SignedInPageMixin):
    """A member's own pages. A page that has a staff counterpart for the same object names
    it in `staff_redirect` (a URL name; `staff_redirect_args` gives its arguments): staff are
    sent there instead of the 403."""

    staff_redirect: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if self.staff_redirect and permissions.is_staff(request.user):
            from django.shortcuts import redirect

            return redirect(self.staff_redirect, *self.staff_redirect_args(kwargs))
        return super().dispatch(request, *args, **kwargs)

    def staff_redirect_args(self, kwargs) -> list:
        return []

    def check_tier(self, user) -> None:
        permissions.check_member(user)
