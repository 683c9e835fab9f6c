from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Activity, ActivityMaterial, Attendance
from ..selectors import my_attendance


class MyAttendanceSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    participation = serializers.SerializerMethodField()

    class Meta:
        model = Attendance
        fields = ["status", "reason", "replied_at", "participation", "studied_at"]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(choices=Attendance.Status.choices, allow_null=True)
    )
    def get_status(self, row):
        return row.status or None

    @extend_schema_field(
        serializers.ChoiceField(choices=Attendance.Participation.choices, allow_null=True)
    )
    def get_participation(self, row):
        return row.participation or None


class ActivitySerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    my_attendance = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "organization",
            "organization_name",
            "kind",
            "title",
            "starts_at",
            "ends_at",
            "place",
            "online_url",
            "audience",
            "status",
            "host_name",
            "recorder_name",
            "lecturer_name",
            "my_attendance",
        ]
        read_only_fields = fields

    @extend_schema_field(MyAttendanceSerializer(allow_null=True))
    def get_my_attendance(self, activity):
        row = my_attendance(activity)
        return MyAttendanceSerializer(row).data if row else None


class MaterialSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = ActivityMaterial
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "file_url",
            "original_name",
            "content_type",
            "size",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, material):
        if not material.file:
            return None
        return reverse("api:activity-material-file", args=[material.pk])


class ActivityDetailSerializer(ActivitySerializer):
    materials = MaterialSerializer(many=True, source="material_list", read_only=True)

    class Meta(ActivitySerializer.Meta):
        fields = [
            *ActivitySerializer.Meta.fields,
            "agenda",
            "published_at",
            "held_at",
            "cancelled_at",
            "cancel_reason",
            "materials",
        ]
        read_only_fields = fields


class ActivityPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ActivitySerializer(many=True)


# Input -----------------------------------------------------------------------------------


class ActivityWriteSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Activity.Kind.choices)
    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    audience = serializers.ChoiceField(choices=Activity.Audience.choices, required=False)
    agenda = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    online_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    host_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    recorder_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    lecturer_name = serializers.CharField(required=False, allow_blank=True, max_length=60)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReplySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Attendance.Status.choices,
        error_messages={"invalid_choice": "请选择参加（attending）或请假（excused）。"},
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ParticipationEntrySerializer(serializers.Serializer):
    member = serializers.IntegerField()
    participation = serializers.ChoiceField(
        choices=[*Attendance.Participation.choices, ("", "未参加")], allow_blank=True
    )


class ParticipationSerializer(serializers.Serializer):
    entries = ParticipationEntrySerializer(many=True, allow_empty=False)


class MaterialCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityMaterial.Kind.choices)
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(required=False, allow_blank=True, max_length=200_000)
    file = serializers.FileField(required=False, allow_empty_file=False)


# The attendance sheet ----------------------------------------------------------------------


class SheetRowSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    organization = serializers.IntegerField(source="member.organization_id")
    organization_name = serializers.CharField(source="member.organization.name")
    status = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    replied_at = serializers.SerializerMethodField()
    participation = serializers.SerializerMethodField()
    credited_organization = serializers.SerializerMethodField()
    studied_at = serializers.SerializerMethodField()

    def _row(self, entry, name):
        return getattr(entry.row, name) or None if entry.row else None

    @extend_schema_field(
        serializers.ChoiceField(choices=Attendance.Status.choices, allow_null=True)
    )
    def get_status(self, entry):
        return self._row(entry, "status")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reason(self, entry):
        return self._row(entry, "reason")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_replied_at(self, entry):
        value = self._row(entry, "replied_at")
        return serializers.DateTimeField().to_representation(value) if value else None

    @extend_schema_field(
        serializers.ChoiceField(choices=Attendance.Participation.choices, allow_null=True)
    )
    def get_participation(self, entry):
        return self._row(entry, "participation")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_credited_organization(self, entry):
        return entry.row.home_organization_id if entry.row and entry.row.participation else None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_studied_at(self, entry):
        value = self._row(entry, "studied_at")
        return serializers.DateTimeField().to_representation(value) if value else None


class SheetSummarySerializer(serializers.Serializer):
    all = serializers.IntegerField()
    attending = serializers.IntegerField()
    excused = serializers.IntegerField()
    no_reply = serializers.IntegerField()
    took_part = serializers.IntegerField()
    online = serializers.IntegerField()
    studied = serializers.IntegerField()


class SheetSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    summary = SheetSummarySerializer()
    results = SheetRowSerializer(many=True)
