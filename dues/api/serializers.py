from rest_framework import serializers

from sanyuan.schema import keyset_page_serializer

from ..models import DuesAccount, DuesEntry, DuesOrder, DuesReceipt


class MonthLineSerializer(serializers.Serializer):
    month = serializers.DateField()
    due_fen = serializers.IntegerField(allow_null=True)
    paid_fen = serializers.IntegerField()
    settled = serializers.BooleanField()


class ReceiptSerializer(serializers.ModelSerializer):
    total_fen = serializers.IntegerField()

    class Meta:
        model = DuesReceipt
        fields = ["id", "number", "kind", "method", "total_fen", "paid_at", "note"]


class EntrySerializer(serializers.ModelSerializer):
    amount_fen = serializers.IntegerField()
    receipt = serializers.CharField(source="receipt.number", default=None)

    class Meta:
        model = DuesEntry
        fields = ["id", "month", "kind", "amount_fen", "receipt", "corrects", "note", "created_at"]


class ReceiptDetailSerializer(ReceiptSerializer):
    entries = EntrySerializer(many=True)
    out_trade_no = serializers.CharField(source="order.out_trade_no", default=None)

    class Meta(ReceiptSerializer.Meta):
        fields = [*ReceiptSerializer.Meta.fields, "out_trade_no", "entries"]


class StatementSerializer(serializers.Serializer):
    dues_category = serializers.CharField(source="account.dues_category", default=None)
    base_year = serializers.IntegerField(source="base.year", default=None)
    base_fen = serializers.IntegerField(source="base.base_fen", default=None)
    owed_fen = serializers.IntegerField()
    months_owed = serializers.IntegerField()
    paid_through = serializers.DateField(allow_null=True)
    monthly_fen = serializers.IntegerField(source="next_amount_fen", allow_null=True)
    online = serializers.BooleanField()
    months = MonthLineSerializer(source="lines", many=True)
    receipts = ReceiptSerializer(many=True)


class OrderCreateSerializer(serializers.Serializer):
    months = serializers.IntegerField(min_value=1, max_value=24)
    channel = serializers.ChoiceField(
        choices=DuesOrder.Channel.choices, default=DuesOrder.Channel.MINI_PROGRAM
    )
    code = serializers.CharField(
        max_length=128, help_text="wx.login() 的 code（小程序）或网页授权的 code"
    )


class OrderSerializer(serializers.ModelSerializer):
    amount_fen = serializers.IntegerField()

    class Meta:
        model = DuesOrder
        fields = [
            "out_trade_no",
            "status",
            "channel",
            "amount_fen",
            "created_at",
            "expires_at",
            "paid_at",
        ]


class OrderCreatedSerializer(OrderSerializer):
    payment = serializers.DictField(help_text="小程序 wx.requestPayment 或 WeixinJSBridge 的参数")

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "payment"]


class BaseDeclareSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    base_fen = serializers.IntegerField(min_value=0, help_text="月收入（分）")


class StandingSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id")
    dues_category = serializers.SerializerMethodField()
    paid_through = serializers.SerializerMethodField()
    months_behind = serializers.SerializerMethodField()

    def _account(self, member) -> DuesAccount | None:
        return getattr(member, "dues_account", None)

    def get_dues_category(self, member) -> str | None:
        account = self._account(member)
        return account.dues_category if account else None

    def get_paid_through(self, member) -> str | None:
        account = self._account(member)
        return account.paid_through.isoformat() if account and account.paid_through else None

    def get_months_behind(self, member) -> int | None:
        from ..selectors import months_behind

        return months_behind(self._account(member))


class PaymentRecordSerializer(serializers.Serializer):
    months = serializers.IntegerField()
    method = serializers.ChoiceField(choices=["cash", "bank_transfer"])
    paid_on = serializers.DateField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AccountSetSerializer(serializers.Serializer):
    dues_category = serializers.ChoiceField(choices=DuesAccount.Category.choices)
    fixed_fen = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=100_000
    )
    decision_note = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default=""
    )
    starts_on = serializers.DateField(required=False, allow_null=True, default=None)


class CorrectionSerializer(serializers.Serializer):
    amount_fen = serializers.IntegerField()
    note = serializers.CharField(max_length=300)


class RefundSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300)


class TotalSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    name = serializers.CharField()
    due_fen = serializers.IntegerField()
    paid_fen = serializers.IntegerField()


EntryPageSerializer = keyset_page_serializer("DuesEntryPageSerializer", EntrySerializer)
StandingPageSerializer = keyset_page_serializer("DuesStandingPageSerializer", StandingSerializer)
