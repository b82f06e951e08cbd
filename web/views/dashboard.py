"""The reviewers' dashboard: pipeline funnel, capability coverage, score distribution, partnerships by country."""

from collections import Counter

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_countries import countries

from matching.models import Proposal
from web import selectors
from web.charts import hbars, histogram, paired_hbars
from web.domains import domain_label
from web.views.review import reviewer_required

S = Proposal.Status


@reviewer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    numbers = selectors.dashboard_numbers()
    stats = numbers["stats"]
    counts = stats["counts"]
    # Funnel stages are cumulative: a partnership was once connected, approved and proposed.
    partnership = counts[S.PARTNERSHIP]
    connected = counts[S.CONNECTED] + partnership + counts[S.CLOSED]
    approved = counts[S.APPROVED] + connected + counts[S.DECLINED] + counts[S.EXPIRED]
    proposed = counts[S.PROPOSED] + approved + counts[S.REJECTED]
    funnel = [
        (_("Proposed"), proposed),
        (_("Approved"), approved),
        (_("Connected"), connected),
        (_("Partnership"), partnership),
    ]

    coverage = numbers["coverage"]
    coverage_rows = sorted(
        ((domain_label(c["domain"]), c["ua_seek"], c["partner_offer"]) for c in coverage), key=lambda r: r[0]
    )

    buckets = numbers["histogram"]
    by_country = Counter()
    for row in stats["partnerships_by_country_pair"]:
        by_country[row["partner_country"]] += row["count"]
    country_rows = [(countries.name(code) or code, n) for code, n in by_country.most_common(15)]

    context = {
        "stats": stats,
        "funnel": funnel,
        "funnel_chart": hbars(funnel, title=_("Pipeline funnel")),
        "coverage_chart": paired_hbars(
            coverage_rows,
            title=_("Capability coverage per domain"),
            series=(_("Ukrainian firms seeking"), _("Partner firms offering")),
        ),
        "histogram_chart": histogram([(f"{b['lo']:.1f}", b["count"]) for b in buckets], title=_("Score distribution")),
        "country_chart": hbars(country_rows, title=_("Partnerships by partner country"), css_class="bar-ok")
        if country_rows
        else None,
        "coverage": coverage_rows,
        "computed_at": numbers["computed_at"],
    }
    return render(request, "web/review/dashboard.html", context)
