"""The round as an Excel workbook (sanyuan/excel.py): participants, self-assessment,
the ballot's totals (once the ballot is closed) and the final ratings. Audited."""

from sanyuan.excel import workbook_bytes

from .. import permissions, selectors
from ..models import Appraisal, Rating
from .common import record

HEADER = ["姓名", "身份证号码", "党员类别", "自我评价"]


def appraisal_export(*, actor, appraisal: Appraisal, ip: str | None = None) -> bytes:
    permissions.check_appraisal_staff(actor)
    permissions.check_manage_appraisal_permission(actor, appraisal)
    rows = selectors.participant_rows(appraisal)
    with_tallies = permissions.can_read_tallies(actor, appraisal)
    tallies = selectors.tallies_for(appraisal) if with_tallies else {}
    header = list(HEADER)
    if with_tallies:
        header += [f"测评：{label}" for label in Rating.labels]
    header += ["组织评定", "评定理由", "评定状态"]

    def lines():
        for row in rows:
            member = row.member
            line = [
                member.name,
                member.id_number_masked,
                member.get_party_standing_display(),
                row.assessment.text if row.assessment else "（未填写）",
            ]
            if with_tallies:
                counts = tallies.get(member.pk, {})
                line += [counts.get(rating, {}).get("total", 0) for rating in Rating.values]
            line += [row.get_final_rating_display(), row.final_reason, row.get_decision_display()]
            yield line

    content = workbook_bytes(f"{appraisal.year}年度民主评议", header, lines())
    record(actor, "export", appraisal, ip=ip, detail={"rows": len(rows)})
    return content
