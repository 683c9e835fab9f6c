"""导出: the staff member's own background exports, their progress and the download."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from sanyuan.errors import ServiceError
from sanyuan.excel import XLSX_CONTENT_TYPE
from sanyuan.files import protected_file_response
from sanyuan.net import client_ip

from ..models import ExportJob
from ..services import export_jobs
from .access import StaffPageMixin


class StaffExportListView(StaffPageMixin, View):
    def get(self, request):
        jobs = export_jobs.export_job_list(actor=request.user)[:50]
        return render(
            request,
            "members/staff/export_list.html",
            {"jobs": jobs, "inline_max": settings.EXPORT_INLINE_MAX_ROWS},
        )


class StaffExportDetailView(StaffPageMixin, View):
    def get(self, request, pk):
        job = export_jobs.export_job_get(actor=request.user, pk=pk)
        return render(
            request,
            "members/staff/export_detail.html",
            {
                "job": job,
                "done_rows": export_jobs.export_job_progress(job),
                "working": job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING),
            },
        )


class StaffExportDownloadView(StaffPageMixin, View):
    def get(self, request, pk):
        job = export_jobs.export_job_get(actor=request.user, pk=pk)
        try:
            export_jobs.export_job_download(actor=request.user, job=job, ip=client_ip(request))
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("members:staff-export", pk=pk)
        response = protected_file_response(
            job.file, filename=f"{job.title}-{job.pk}.xlsx", content_type=XLSX_CONTENT_TYPE
        )
        response["Cache-Control"] = "private, no-store"
        return response
