"""The member's pages (我的 → 我的党费): what I owe, paying in WeChat, receipts, declaring
the yearly base. Phone-first, Chinese."""

import secrets

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from members.permissions import member_of
from members.views.access import MemberPageMixin
from sanyuan import wechat, wechatpay
from sanyuan.errors import ServiceError
from sanyuan.forms import add_service_error

from .. import months as m
from .. import selectors, services
from ..forms import BaseDeclareForm, PayForm
from ..models import DuesOrder
from ..services.payments import online_available

SESSION_KEY = "dues_pay_state"


class MyDuesView(MemberPageMixin, View):
    template_name = "dues/my_dues.html"

    def get(self, request, declare_form=None, status=200):
        member = member_of(request.user)
        st = selectors.statement(member)
        owed = st.months_owed
        return render(
            request,
            self.template_name,
            {
                "member": member,
                "st": st,
                "lines": list(reversed(st.lines))[:24],
                "pay_form": PayForm(initial={"months": max(owed, 1)}),
                "online": st.account is not None and online_available(member),
                "declare_form": declare_form or BaseDeclareForm(),
                "due_day": m.due_date(m.this_month()).day,
            },
            status=status,
        )

    def post(self, request):
        member = member_of(request.user)
        form = BaseDeclareForm(request.POST)
        if not form.is_valid():
            return self.get(request, declare_form=form, status=400)
        try:
            services.base_declare(
                actor=request.user,
                member=member,
                year=form.cleaned_data["year"],
                base_fen=form.cleaned_data["base"],
            )
        except ServiceError as exc:
            return self.get(request, declare_form=form, status=add_service_error(form, exc))
        messages.success(request, "已提交，等待党组织审核。")
        return redirect("dues:mine")


class MyPayView(MemberPageMixin, View):
    """Pay in WeChat's browser: the silent authorisation (snsapi_base) gives the openid for
    this order only (no binding needed), then the page opens WeChat's payment sheet."""

    def get(self, request):
        member = member_of(request.user)
        code, state = request.GET.get("code", ""), request.GET.get("state", "")
        if code and state:
            return self._order(request, member, code, state)
        form = PayForm(request.GET)
        if not form.is_valid():
            messages.error(request, "请选择交纳的月数。")
            return redirect("dues:mine")
        if not wechat.mp_configured():
            messages.error(request, "微信支付需在微信中打开本页面使用；也可向所在支部交纳。")
            return redirect("dues:mine")
        state = secrets.token_hex(16)
        request.session[SESSION_KEY] = {"state": state, "months": form.cleaned_data["months"]}
        url = wechat.oauth_authorize_url(
            redirect_uri=request.build_absolute_uri(reverse("dues:pay")), state=state
        )
        return HttpResponseRedirect(url)

    def _order(self, request, member, code, state):
        saved = request.session.pop(SESSION_KEY, None) or {}
        if not saved or not secrets.compare_digest(str(saved.get("state", "")), state):
            messages.error(request, "支付请求已失效，请重新点击“微信支付”。")
            return redirect("dues:mine")
        try:
            order, params = services.order_create(
                actor=request.user,
                member=member,
                months=int(saved.get("months", 0)),
                channel=DuesOrder.Channel.JSAPI,
                code=code,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("dues:mine")
        return render(
            request,
            "dues/pay.html",
            {"order": order, "params": params.for_weixin_js_bridge(), "lines": _lines(order)},
        )


def _lines(order):
    from ..services.payments import order_lines

    return [(m.label(month), fen) for month, fen in order_lines(order)]


class MyOrderView(MemberPageMixin, View):
    """The outcome of a payment: paid (with the receipt) or still waiting."""

    def get(self, request, out_trade_no):
        order = selectors.order_get(member=member_of(request.user), out_trade_no=out_trade_no)
        return render(
            request,
            "dues/order.html",
            {"order": order, "receipt": order.receipts.first(), "lines": _lines(order)},
        )

    def post(self, request, out_trade_no):
        order = selectors.order_get(member=member_of(request.user), out_trade_no=out_trade_no)
        if order.status == DuesOrder.Status.PENDING:
            try:
                services.order_refresh(order)
            except wechatpay.WechatPayError:  # unreachable: the sweeper asks again
                messages.error(request, "暂时查询不到支付结果，请稍后再看。")
        return redirect("dues:order", out_trade_no=out_trade_no)


class MyReceiptView(MemberPageMixin, View):
    def get(self, request, pk):
        receipt = selectors.receipt_get(user=request.user, pk=pk)
        return render(request, "dues/receipt.html", {"receipt": receipt, "staff": False})
