from rest_framework import serializers

from members import archive_fields
from members.models import Member, Organization
from sanyuan.inputs import MAX_ID


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "parent"]


class MemberSerializer(serializers.ModelSerializer):
    """An archive as staff and the member see it. `id_number` is always the masked form.

    `context["viewer"]` is the viewer of the field policy (members.archive_fields: "self",
    "committee", "county", "host"), or a function of the row giving it (lists that mix home
    and hosted members); the fields outside the viewer's visible set are left out."""

    id_number = serializers.CharField(source="id_number_masked", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    host_organization_name = serializers.CharField(
        source="host_organization.name", read_only=True, default=None, allow_null=True
    )
    destination_name = serializers.SerializerMethodField()
    skills = serializers.SerializerMethodField()
    skill_names = serializers.SerializerMethodField()
    honours = serializers.ListField(child=serializers.CharField(), read_only=True)
    # Encrypted columns: declared, as their model fields are text columns underneath.
    phone = serializers.CharField(read_only=True)
    monthly_income = serializers.IntegerField(read_only=True, allow_null=True)
    income_band = serializers.CharField(read_only=True, allow_null=True)
    is_activated = serializers.BooleanField(read_only=True)
    contact_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "ethnicity",
            "phone",
            "education",
            "party_standing",
            "joined_party_on",
            "organization",
            "organization_name",
            "left_home_on",
            "destination_province",
            "destination_city",
            "destination_district",
            "destination_address",
            "destination_name",
            "host_organization",
            "host_organization_name",
            "occupation",
            "employer",
            "monthly_income",
            "income_band",
            "skills",
            "skill_names",
            "family_situation",
            "mindset_note",
            "status",
            "honours",
            "support_group",
            "is_activated",
            "last_contacted_at",
            "contact_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    # Documented as optional in the schema (sanyuan.schema).
    OMITTED_FOR_SOME_VIEWERS = archive_fields.SENSITIVE_FIELDS + archive_fields.STAFF_ONLY_FIELDS

    def _skills(self, obj):
        return list(obj.skills.all())

    def get_skills(self, obj) -> list[int]:
        return [skill.pk for skill in self._skills(obj)]

    def get_skill_names(self, obj) -> list[str]:
        return [skill.name for skill in self._skills(obj)]

    def get_destination_name(self, obj) -> str:
        from members.archive_fields import destination_name

        return destination_name(
            obj.destination_province, obj.destination_city, obj.destination_district
        )

    def get_contact_overdue(self, obj) -> bool:
        from datetime import timedelta

        from django.conf import settings
        from django.utils import timezone

        cutoff = timezone.now() - timedelta(days=settings.CONTACT_OVERDUE_DAYS)
        last = obj.last_contacted_at
        return (last is None and obj.created_at < cutoff) or (last is not None and last < cutoff)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        viewer = self.context.get("viewer")
        if callable(viewer):
            viewer = viewer(instance)
        visible = archive_fields.visible_fields(viewer)
        return {key: value for key, value in data.items() if key in visible}


class MemberListSerializer(MemberSerializer):
    """A row of the staff list: no sensitive fields (those are read, and logged, one by one)."""

    class Meta(MemberSerializer.Meta):
        fields = [
            "id",
            "name",
            "id_number",
            "sex",
            "birth_date",
            "phone",
            "party_standing",
            "organization",
            "organization_name",
            "destination_province",
            "destination_city",
            "destination_name",
            "occupation",
            "skills",
            "skill_names",
            "status",
            "honours",
            "support_group",
            "is_activated",
            "last_contacted_at",
            "contact_overdue",
        ]
        read_only_fields = fields


ARCHIVE_INPUT_FIELDS = (
    "ethnicity",
    "education",
    "party_standing",
    "joined_party_on",
    "left_home_on",
    "destination_province",
    "destination_city",
    "destination_district",
    "destination_address",
    "occupation",
    "employer",
    "monthly_income",
    "skills",
    "family_situation",
    "mindset_note",
    "status",
    "honours",
    "support_group",
    "host_organization",
)


class ArchiveInputSerializer(serializers.Serializer):
    """Archive values as JSON; checking is the service's (members.archive_fields)."""

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            # A dict, so that `serializer.errors` works (a bare message here was a 500).
            raise serializers.ValidationError({"detail": ["请求体应为JSON对象。"]})
        allowed = set(self.fields) | set(ARCHIVE_INPUT_FIELDS)
        unknown = [key for key in data if key not in allowed]
        if unknown:
            raise serializers.ValidationError({key: ["不支持的字段。"] for key in unknown})
        values = super().to_internal_value(data)
        for key in ARCHIVE_INPUT_FIELDS:
            if key in data:
                values[key] = data[key]
        return values


class MemberCreateSerializer(ArchiveInputSerializer):
    name = serializers.CharField(max_length=60)
    id_number = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=30)
    organization = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class MemberUpdateSerializer(ArchiveInputSerializer):
    name = serializers.CharField(max_length=60, required=False)
    phone = serializers.CharField(max_length=30, required=False)
    organization = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class MeUpdateSerializer(serializers.Serializer):
    """PATCH /api/me/: the member changes the phone directly (archive_fields
    SELF_EDITABLE_FIELDS); any other field is refused with its own message and nothing
    changes (the archive's other fields change through a change request, or by staff)."""

    phone = serializers.CharField(max_length=30, required=False)

    def validate(self, attrs):
        from members.archive_fields import SELF_EDITABLE_FIELDS, field_label, requestable_fields

        requestable = requestable_fields("self")
        errors = {}
        for key in self.initial_data if isinstance(self.initial_data, dict) else ():
            if key in SELF_EDITABLE_FIELDS:
                continue
            if key in requestable:
                errors[key] = [f"{field_label(key)}请通过修改申请更改。"]
            else:
                errors[key] = ["该项不能自行修改。"]
        if not errors and "phone" not in attrs:
            errors["phone"] = ["请填写手机号码。"]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class IdentitySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, trim_whitespace=False)
    id_number = serializers.CharField(max_length=60, trim_whitespace=False)


class RegisterSerializer(IdentitySerializer):
    code = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    accept_privacy_notice = serializers.BooleanField(default=False)


class PasswordResetSerializer(IdentitySerializer):
    code = serializers.CharField(max_length=20)
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class LoginCodeRequestSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=30, trim_whitespace=False)


class LoginCodeVerifySerializer(LoginCodeRequestSerializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, trim_whitespace=False
    )


class LoginSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False, trim_whitespace=False)
    id_number = serializers.CharField(max_length=60, required=False, trim_whitespace=False)
    username = serializers.CharField(max_length=150, required=False)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    otp = serializers.CharField(max_length=10, required=False, allow_blank=True)

    def validate(self, attrs):
        if attrs.get("id_number") is not None:
            if not attrs.get("name"):
                raise serializers.ValidationError({"name": ["请填写姓名。"]})
        elif not attrs.get("username"):
            raise serializers.ValidationError("请填写姓名和身份证号码，或工作人员用户名。")
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


class IssuedCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MemberSearchSerializer(serializers.Serializer):
    q = serializers.CharField(max_length=40, help_text="完整身份证号、手机号，或姓名片段")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class ContactLogSerializer(serializers.ModelSerializer):
    staff_name = serializers.CharField(source="staff.username", read_only=True, default=None)
    organization_name = serializers.CharField(
        source="organization.name", read_only=True, default=None
    )

    class Meta:
        from members.models import ContactLog

        model = ContactLog
        fields = [
            "id",
            "contacted_on",
            "channel",
            "note",
            "mindset",
            "staff_name",
            "organization_name",
            "created_at",
        ]
        read_only_fields = fields

    # Host staff read no mindset assessment (context `assess_mindset` False).
    OMITTED_FOR_SOME_VIEWERS = ("mindset",)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("assess_mindset", False):
            data.pop("mindset", None)
        return data


class ContactLogInputSerializer(serializers.Serializer):
    contacted_on = serializers.CharField(max_length=20)
    channel = serializers.CharField(max_length=20)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    mindset = serializers.CharField(max_length=20, required=False, allow_blank=True)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, obj) -> str:
        return f"/api/change-requests/{obj.change_request_id}/evidence/{obj.pk}/"


class ChangeRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    member_name = serializers.CharField(source="member.name", required=False)  # staff only
    status = serializers.CharField()
    changes = serializers.JSONField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    age_days = serializers.SerializerMethodField()
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_comment = serializers.CharField()
    evidence = EvidenceSerializer(many=True)

    def get_age_days(self, obj) -> int:
        from django.utils import timezone

        return (timezone.now() - obj.created_at).days

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("staff"):
            # The member sees the old and new values of their own request; sensitive values
            # are theirs. Staff-only fields are never requestable.
            data.pop("member_name", None)
        return data


class ChangeRequestInputSerializer(serializers.Serializer):
    changes = serializers.JSONField()
    reason = serializers.CharField(max_length=500)

    def validate_changes(self, value):
        if isinstance(value, str):
            import json

            try:
                value = json.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError("changes 应为JSON对象。") from exc
        if not isinstance(value, dict):
            raise serializers.ValidationError("changes 应为JSON对象。")
        return value


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class SkillSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    category = serializers.CharField()


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    parent = serializers.CharField(source="parent_id", allow_null=True)


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)


class RevealedIdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField()
