"""Figures the staff dashboard shows for hometown ties (members.selectors.stats collects
them); each counts with the rule of the list its link opens."""

from . import permissions, selectors


def staff_overview(user) -> list[dict]:
    if not permissions.takes_part(user):
        return []
    cases = selectors.support_case_figures(user=user)
    group = selectors.support_group_figures(user=user)
    figures = [
        {
            "key": "support_cases_open",
            "label": "办理中的困难帮扶",
            "value": cases["open"],
            "url": "/staff/family-support/?which=open",
        },
        {
            "key": "support_cases_average_days_open",
            "label": "困难帮扶平均已办天数",
            "value": cases["average_days_open"],
            "url": "/staff/family-support/?which=open",
        },
        {
            "key": "support_cases_stale",
            "label": "困难帮扶30天以上无进展",
            "value": cases["stale"],
            "url": "/staff/family-support/?which=stale",
        },
        {
            "key": "support_group_members",
            "label": "后援团成员",
            "value": group["members"],
            "url": "/staff/support-group/members/",
        },
        {
            "key": "contributions_confirmed",
            "label": "已确认的回馈家乡贡献",
            "value": group["confirmed"],
            "url": "/staff/support-group/contributions/?status=confirmed",
        },
    ]
    for kind in group["kinds"]:
        if kind["amount"]:
            figures.append(
                {
                    "key": f"contribution_amount_{kind['key']}",
                    "label": f"{kind['label']}金额（元）",
                    "value": kind["amount"],
                    "url": f"/staff/support-group/contributions/?status=confirmed&kind={kind['key']}",
                }
            )
    return figures
