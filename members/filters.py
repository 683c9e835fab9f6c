"""Query parameters of the member lists (API, staff pages, exports), parsed and bounded."""

from sanyuan.inputs import parse_int


def member_filters(params) -> dict:
    organization = params.get("organization", "")
    return {
        "organization": parse_int(organization),
        "q": params.get("q", ""),
        "destination_province": params.get("destination_province", "")[:6],
        "destination_city": params.get("destination_city", "")[:6],
        "occupation": params.get("occupation", "")[:20],
        "skill": params.get("skill", "")[:30],
        "status": params.get("status", "")[:20],
        "party_standing": params.get("party_standing", "")[:20],
        "contact_overdue": params.get("contact_overdue") in ("1", "true"),
        "support_group": params.get("support_group") in ("1", "true"),
        "honour": params.get("honour", "")[:30],
        "dimension": params.get("dimension", "")[:20],
        "key": params.get("key", "")[:40],
    }
