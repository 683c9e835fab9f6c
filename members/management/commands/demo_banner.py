from django.core.management.base import BaseCommand

from members.demo import ACTIVE_MEMBER, DEMO_PASSWORD, PENDING_MEMBER, STAFF
from members.models import Member, User
from members.services.accounts import one_time_code_issue
from sanyuan.crypto import keyed_hash


class Command(BaseCommand):
    help = "Print the demo URL and logins; issue a fresh code for the member still to activate."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        pending = Member.objects.filter(
            id_number_hash=keyed_hash(PENDING_MEMBER.id_number, purpose="id_number")
        ).first()
        code_line = "（已激活，可直接登录）"
        if pending is not None and pending.user_id is None:
            county_admin = User.objects.get(username=STAFF[0][0])
            issued = one_time_code_issue(
                staff=county_admin, member=pending, reason="演示：首次激活", ip=None
            )
            code_line = f"工作人员签发的验证码 {issued.code}（72小时内有效）"
        w = self.stdout.write
        w("")
        w("=" * 64)
        w(f"  同心三原 流动e家 演示站点: http://127.0.0.1:{port}/")
        w(f"  手机浏览器或开发者工具的手机模式打开效果最好。所有演示密码: {DEMO_PASSWORD}")
        w("")
        w(f"  党员（已激活）  姓名 {ACTIVE_MEMBER.name}  身份证号 {ACTIVE_MEMBER.id_number}")
        w(f"  党员（待激活）  姓名 {PENDING_MEMBER.name}  身份证号 {PENDING_MEMBER.id_number}")
        w(f"                  {code_line}")
        w("                  也可在激活页点“获取短信验证码”，短信内容会打印在本控制台。")
        for username, tier, code in STAFF:
            label = (
                "县委组织部"
                if tier == "county"
                else ("流入地党委(深圳)" if code.startswith("HOST") else f"基层党委({code})")
            )
            w(f"  工作人员 {label:<16} 用户名 {username}")
        w("  县级账号首次登录时用手机上的身份验证器App扫码绑定，之后每次登录输入动态验证码")
        w("  （演示时可设 STAFF_OTP_REQUIRED_TIERS=none 关闭）。")
        w(
            f"  管理后台: http://127.0.0.1:{port}/admin/   接口文档: http://127.0.0.1:{port}/api/docs/"
        )
        w("=" * 64)
        w("")
