"""The admin's view of background jobs: progress, result, error; buttons to start the catalog-wide ones."""

from __future__ import annotations

import json

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jobs.models import Job, JobKind, JobStatus
from jobs.services import chunk_messages
from jobs.starters import JOB_STARTERS, job_error_text

# The keys jobs put in their result, as the console shows them (Korean stylists read labels, not dictionary keys).
RESULT_LABELS = {
    "retagged": _("re-tagged"),
    "skipped": _("skipped"),
    "added": _("added"),
    "failed": _("failed"),
    "photos": _("photos"),
    "file": _("file"),
    "deleted": _("deleted"),
    "older_than_days": _("older than (days)"),
    "size": _("garments in the index"),
    "built_at": _("built"),
    "model_version": _("model version"),
    "ndim": _("dimensions"),
}


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "progress", "result_summary", "created_by", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [
        "kind",
        "status",
        "progress",
        "result_pretty",
        "outcomes",
        "error",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ]
    fields = tuple(readonly_fields)
    change_list_template = "admin/jobs/job/change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        start = path("start/<str:kind>/", self.admin_site.admin_view(self.start_view), name="jobs_job_start")
        return [start, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "starters": [
                {"kind": kind, "label": JobKind(kind).label, "url": reverse("admin:jobs_job_start", args=[kind])}
                for kind in JOB_STARTERS
            ],
            "running": Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).exists(),
        }
        return super().changelist_view(request, extra_context)

    def start_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        starter = JOB_STARTERS.get(JobKind(kind)) if kind in JobKind.values else None
        if starter is None or not request.user.has_perm(starter.permission):
            raise PermissionDenied
        job = starter.start(user=request.user)
        self.message_user(
            request, gettext("Started: %(job)s (%(status)s).") % {"job": job, "status": job.get_status_display()}
        )
        return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[job.pk]))

    @admin.display(description=_("progress"))
    def progress(self, job: Job) -> str:
        colour = {"failed": "#b91c1c", "done": "#15803d"}.get(job.status, "#2563eb")
        return format_html(
            '<div class="job-progress" title="{}%" style="width:140px;height:10px;background:#e5e7eb;border-radius:5px;'
            'display:inline-block;vertical-align:middle"><div style="width:{}%;height:10px;background:{};'
            'border-radius:5px"></div></div> {} / {}{}',
            job.percent,
            job.percent,
            colour,
            job.done + job.failed,
            job.total,
            format_html(" ({} {})", job.failed, gettext("failed")) if job.failed else "",
        )

    @admin.display(description=_("result"))
    def result_summary(self, job: Job) -> str:
        if job.status == JobStatus.FAILED:
            return job.error.splitlines()[0][:120] if job.error else gettext("failed")
        return ", ".join(
            f"{RESULT_LABELS.get(key, key)}: {value}" for key, value in job.result.items() if key not in {"state"}
        )[:160]

    @admin.display(description=_("result"))
    def result_pretty(self, job: Job) -> str:
        if not job.result:
            return "–"
        return format_html_join(
            "",
            "<div>{}: <code>{}</code></div>",
            (
                (
                    RESULT_LABELS.get(key, key),
                    value if isinstance(value, str) else json.dumps(value, ensure_ascii=False),
                )
                for key, value in job.result.items()
            ),
        )

    @admin.display(description=_("outcomes"))
    def outcomes(self, job: Job) -> str:
        rows = chunk_messages(job=job)[:500]
        if not rows:
            return "–"
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td></tr>",
                (
                    (
                        row.get("file", ""),
                        format_html(
                            '<a href="{}">{}</a>',
                            reverse("admin:catalog_garment_change", args=[row["garment"]]),
                            gettext("garment %(id)s") % {"id": row["garment"]},
                        )
                        if row.get("garment")
                        else job_error_text(job=job, error=row.get("error", "")),
                    )
                    for row in rows
                ),
            ),
        )

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs) -> None:
        super().message_user(request, message, level, *args, **kwargs)
