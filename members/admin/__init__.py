"""The registry's admin, by domain. `base` holds the scoped admin building blocks every
app's admin uses (members.admin.base.ScopedAdminMixin)."""

from . import base, notices, organizations, records, registry, registry_records  # noqa: F401
