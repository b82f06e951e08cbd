"""The reviewers' dashboard: pipeline funnel, capability coverage, score distribution, partnerships by country.

Every chart links to the queue filtered to what it counts, within the dashboard's date range.
"""

from collections import Counter
from functools import partial
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries import countries

from matching.models import Proposal
from review.selectors import FUNNEL_OUTSIDE, review_funnel_parts
from web import selectors
from web.charts import hbars, histogram, number, paired_hbars
from web.domains import domain_label
from web.forms import DateRangeForm, error_summary
from web.views.review import reviewer_required

S = Proposal.Status


def dashboard_range(request: HttpRequest) -> tuple[DateRangeForm, dict]:
    """The date range form and its valid dates (none when a date is wrong: the page says which)."""
    form = DateRangeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, {k: v for k, v in form.cleaned_data.items() if v}
    return form, {}


def _queue_link(dates: dict, **filters) -> str:
    params = {"status": "", **filters}  # an explicit empty status: every state, not only those waiting
    params.update({k: v.isoformat() for k, v in dates.items()})
    return f"{reverse('web:review_queue')}?{urlencode(params)}"


@reviewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    range_form, dates = dashboard_range(request)
    numbers = selectors.dashboard_numbers(**dates)
    stats = numbers["stats"]
    counts = stats["counts"]
    labels = {value: str(label) for value, label in Proposal.Status.choices}
    link = partial(_queue_link, dates)
    # A stage's own state, told apart from the stage ("Approved 41 = waiting for the firms 20 + ...").
    part_labels = {
        S.PROPOSED: _("Waiting for review"),
        S.APPROVED: _("Waiting for the firms"),
        S.CONNECTED: _("Connected, no outcome yet"),
    }

    stages = review_funnel_parts(counts=counts)
    for stage in stages:
        stage["label"] = labels[stage["stage"]]
        stage["link"] = link(status=stage["stage"])
        stage["parts"] = [
            {
                "status": status,
                "label": part_labels.get(status, labels[status]),
                "count": n,
                "link": link(status=status),
            }
            for status, n in stage["parts"]
        ]
        stage["next_label"] = labels[stage["next"]] if stage["next"] else ""
    outside = [{"status": s, "label": labels[s], "count": counts[s], "link": link(status=s)} for s in FUNNEL_OUTSIDE]
    funnel = [(stage["label"], stage["count"]) for stage in stages]

    coverage = numbers["coverage"]
    coverage_rows = sorted(
        ((domain_label(c["domain"]), c["ua_seek"], c["partner_offer"], c["domain"]) for c in coverage),
        key=lambda r: r[0],
    )

    buckets = numbers["histogram"]
    by_country = Counter()
    for row in stats["partnerships_by_country_pair"]:
        by_country[row["partner_country"]] += row["count"]
    top_countries = by_country.most_common(15)
    country_rows = [(countries.name(code) or code, n) for code, n in top_countries]

    context = {
        "stats": stats,
        "funnel": funnel,
        "stages": stages,
        "outside": outside,
        "total_link": link(),
        "waiting_link": link(status=S.PROPOSED),
        "range_form": range_form,
        "error_summary": error_summary(range_form) if range_form.is_bound else [],
        "dates": dates,
        "export_query": urlencode({k: v.isoformat() for k, v in dates.items()}),
        "funnel_chart": hbars(
            funnel,
            title=_("Pipeline funnel"),
            links=[stage["link"] for stage in stages],
            log_scale=True,
            width=440,  # drawn in half the page's width: narrower, so its 12px text is not scaled down
            label_width=150,
        ),
        "coverage_chart": paired_hbars(
            [row[:3] for row in coverage_rows],
            title=_("Capability coverage per domain"),
            series=(_("Ukrainian firms seeking"), _("Partner firms offering")),
            links=[link(domain=row[3]) for row in coverage_rows],
        ),
        "histogram_chart": histogram(
            [(number(b["lo"], 1), b["count"]) for b in buckets],
            title=_("Score distribution"),
            links=[link(min_score=b["lo"], sort="score") for b in buckets],
        ),
        "country_chart": hbars(
            country_rows,
            title=_("Partnerships by partner country"),
            css_class="bar-ok",
            links=[link(status=S.PARTNERSHIP, country=code) for code, _n in top_countries],
        )
        if country_rows
        else None,
        "coverage": coverage_rows,
        "computed_at": numbers["computed_at"],
    }
    return render(request, "web/review/dashboard.html", context)
