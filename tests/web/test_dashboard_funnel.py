"""The reviewers' dashboard: a total that reconciles with the funnel, drill-down links, a date range,
durations in a unit that fits, figures in the page's language, and who may open it."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from matching.models import Proposal, ProposalEvent
from review.selectors import review_funnel, review_funnel_parts
from tests.factories import FirmFactory, ProposalFactory
from web.templatetags.web_tags import duration, score

pytestmark = pytest.mark.django_db
URL = reverse("web:review_dashboard")

# 300 waiting, 40 rejected, 20 waiting for firms, 10 declined, 5 expired, 3 connected, 1 closed,
# 2 partnerships, 7 superseded, 4 withdrawn: hundreds proposed beside a handful connected.
MIX = {
    "proposed": 300,
    "rejected": 40,
    "approved": 20,
    "declined": 10,
    "expired": 5,
    "connected": 3,
    "closed": 1,
    "partnership": 2,
    "superseded": 7,
    "withdrawn": 4,
}


def _mix(created_at=None):
    # 20 x 20 firm pairs (a pair has one proposal), then one bulk insert of the 392 proposals.
    ukrainians = [f.pk for f in FirmFactory.create_batch(20)]
    partners = [f.pk for f in FirmFactory.create_batch(20, partner=True)]
    pairs = [(u, p) for u in ukrainians for p in partners]
    statuses = [status for status, n in MIX.items() for _ in range(n)]
    Proposal.objects.bulk_create(
        [Proposal(ukrainian_id=u, partner_id=p, **_row(s)) for (u, p), s in zip(pairs, statuses, strict=False)]
    )
    if created_at:
        Proposal.objects.update(created_at=created_at)


def _row(status):
    return {
        "status": status,
        "score": 0.5,
        "components": {},
        "reasons": {},
        "rank_for_ukrainian": 1,
        "rank_for_partner": 1,
    }


def test_each_funnel_stage_is_the_sum_of_its_parts_and_the_next_stage():
    counts = dict.fromkeys(Proposal.Status.values, 0) | MIX
    parts = {s["stage"]: s for s in review_funnel_parts(counts=counts)}
    assert parts["partnership"]["count"] == 2
    assert parts["connected"]["count"] == 3 + 1 + 2
    assert parts["approved"]["count"] == 20 + 10 + 5 + 6
    assert parts["proposed"]["count"] == 300 + 40 + 41
    for stage in parts.values():
        assert stage["count"] == sum(n for _, n in stage["parts"]) + stage["next_count"]
    # One home: the export's funnel is the same arithmetic.
    assert review_funnel(counts=counts) == [
        (s, parts[s]["count"]) for s in ("proposed", "approved", "connected", "partnership")
    ]


def test_the_total_reconciles_with_the_funnel_on_the_page(page_rita):
    _mix()
    response = page_rita.get(URL)
    body = unescape(response.content.decode())
    total = sum(MIX.values())
    assert response.context["stats"]["total"] == total
    # Proposals 392 = Proposed 381 + Superseded 7 + Withdrawn 4, written out on the page.
    sums = re.sub(r"<[^>]+>", "", body.split('id="funnel-sums"')[1].split("</ul>")[0])
    sums = " ".join(sums.split())
    assert f"Proposals {total} = Proposed 381 + Superseded 7 + Withdrawn 4" in sums
    assert "Proposed 381 = Waiting for review 300 + Rejected 40 + Approved 41" in sums
    assert "Approved 41 = Waiting for the firms 20 + Declined 10 + Expired 5 + Connected 6" in sums
    assert "Connected 6 = Connected, no outcome yet 3 + Closed 1 + Partnership 2" in sums
    assert 381 == total - MIX["superseded"] - MIX["withdrawn"]


def test_the_funnel_is_drawn_on_a_log_scale_so_small_stages_stay_visible(page_rita):
    _mix()
    body = page_rita.get(URL).content.decode()
    funnel = body.split('id="funnel-h"')[1].split("</section>")[0]
    widths = [float(w) for w in re.findall(r'<rect class="bar" x="\d+" y="\d+" width="([\d.]+)"', funnel)]
    assert len(widths) == 4
    proposed, approved, connected, partnership = widths
    assert proposed > approved > connected > partnership
    # On a linear scale 2 of 381 would be half a pixel; on the log scale it is a fifth of the track.
    assert partnership > proposed / 6
    assert "logarithmic" in funnel


def test_every_chart_links_to_the_queue_filtered_to_what_it_counts(page_rita):
    _mix()
    body = page_rita.get(URL).content.decode()
    funnel = body.split('id="funnel-h"')[1].split("</section>")[0]
    hrefs = [unescape(h) for h in re.findall(r"<a href=\"([^\"]+)\"><text", funnel)]
    statuses = [parse_qs(urlsplit(h).query)["status"][0] for h in hrefs]
    assert statuses == ["proposed", "approved", "connected", "partnership"]
    histogram = body.split('id="hist-h"')[1].split("</section>")[0]
    assert len(re.findall(r'<a href="[^"]*min_score=0.5[^"]*sort=score', histogram)) == 1
    # The queue behind a state's link shows exactly the count printed beside it.
    rejected = re.search(r'<a href="([^"]+)">Rejected 40</a>', body).group(1)
    queue = page_rita.get(unescape(rejected))
    assert queue.status_code == 200 and queue.context["page"].paginator.count == 40


def test_the_date_range_narrows_the_figures_and_the_drill_down(page_rita):
    _mix(created_at=timezone.now() - timedelta(days=60))
    ProposalFactory(status="rejected")  # today
    today = timezone.localdate()
    response = page_rita.get(URL, {"created_from": (today - timedelta(days=7)).isoformat()})
    assert response.status_code == 200
    assert response.context["stats"]["total"] == 1
    assert response.context["stats"]["counts"]["rejected"] == 1
    link = unescape(re.search(r'<a href="([^"]+)">Rejected 1</a>', response.content.decode()).group(1))
    assert f"created_from={(today - timedelta(days=7)).isoformat()}" in link
    assert page_rita.get(link).context["page"].paginator.count == 1
    earlier = page_rita.get(URL, {"created_to": (today - timedelta(days=30)).isoformat()})
    assert earlier.context["stats"]["total"] == sum(MIX.values())


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"created_from": "yesterday"}, "Created from", "Enter the first day as a date, e.g. 2026-03-01."),
        ({"created_to": "2026-13-45"}, "Created to", "Enter the last day as a date, e.g. 2026-03-31."),
        (
            {"created_from": "2026-03-10", "created_to": "2026-03-01"},
            "Created to",
            "The last day must be on or after the first day.",
        ),
    ],
)
def test_a_wrong_date_range_is_named_and_the_page_still_renders(page_rita, params, field, message):
    response = page_rita.get(URL, params)
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert f"{field}: {message}" in body  # the summary names the field and the rule
    assert response.context["dates"] == {}  # the figures fall back to all time


def test_the_export_keeps_the_range_and_refuses_a_wrong_one(page_rita):
    _mix(created_at=timezone.now() - timedelta(days=60))
    today = timezone.localdate().isoformat()
    ok = page_rita.get(reverse("web:review_dashboard_export"), {"file": "csv", "created_from": today})
    assert ok.status_code == 200
    assert "Total,1" not in ok.content.decode("utf-8-sig") and ",Total,0" in ok.content.decode("utf-8-sig")
    bad = page_rita.get(reverse("web:review_dashboard_export"), {"file": "csv", "created_from": "soon"})
    assert bad.status_code == 400 and "Created from" in bad.content.decode()


def test_the_queue_rejects_a_reversed_range_by_name(page_rita):
    response = page_rita.get(reverse("web:review_queue"), {"created_from": "2026-03-10", "created_to": "2026-03-01"})
    assert response.status_code == 200
    assert "The last day must be on or after the first day." in unescape(response.content.decode())


def test_durations_use_the_unit_that_fits_in_both_languages():
    assert duration(None) == "–"
    assert duration(0.25) == "15 minutes"
    assert duration(1.2) == "1 hour"
    assert duration(30) == "30 hours"
    assert duration(72) == "3 days"
    with translation.override("uk"):
        assert duration(0.25) == "15 хвилин"
        assert duration(2) == "2 години"
        assert duration(21 * 24) == "21 день"


def test_medians_on_the_page_are_in_hours_or_days(page_rita, rita):
    p = ProposalFactory(status="approved")
    Proposal.objects.filter(pk=p.pk).update(created_at=timezone.now() - timedelta(days=3))
    ProposalEvent.objects.create(
        proposal=p, from_status="proposed", to_status="approved", actor=rita, actor_role="reviewer"
    )
    body = page_rita.get(URL).content.decode()
    assert '<div class="stat" id="median-decision">3 days</div>' in body


def test_scores_and_chart_labels_follow_the_page_language(page_rita, rita):
    ProposalFactory(score=0.09)
    assert score(0.09) == "0.09"
    with translation.override("uk"):
        assert score(0.09) == "0,09"
    english = page_rita.get(URL).content.decode()
    assert ">0.0</text>" in english and ">0,0</text>" not in english
    rita.language = "uk"
    rita.save()
    ukrainian = page_rita.get(URL).content.decode()
    assert ">0,0</text>" in ukrainian and ">0.0</text>" not in ukrainian
    queue = page_rita.get(reverse("web:review_queue")).content.decode()
    assert ">0,09</a>" in queue


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_reviewer_sees_the_dashboard_in_both_languages(page_rita, rita, lang):
    rita.language = lang
    rita.save()
    _mix()
    response = page_rita.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    expected = {"en": "How the figures add up", "uk": "Як складаються показники"}[lang]
    assert expected in body


def test_the_administrator_sees_the_dashboard(page_adam):
    assert page_adam.get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["page_alice", "page_alice_viewer", "page_bob"])
def test_firm_members_may_not_open_the_dashboard_or_its_export(request, persona):
    client = request.getfixturevalue(persona)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("web:review_dashboard_export"), {"file": "csv"}).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(page_anon):
    response = page_anon.get(URL, {"created_from": "2026-01-01"})
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize(("lang", "shown"), [("en", "0.90"), ("uk", "0,90")])
def test_the_proposal_pages_component_chart_writes_decimals_in_the_page_language(page_rita, rita, lang, shown):
    rita.language = lang
    rita.save()
    p = ProposalFactory(components={"complementarity": 0.9, "text": 0.3})
    body = page_rita.get(reverse("web:review_proposal", args=[p.pk])).content.decode()
    chart = body.split('<svg class="chart"')[1].split("</svg>")[0]
    assert f">{shown}</text>" in chart
    other = "0,90" if lang == "en" else "0.90"
    assert f">{other}</text>" not in chart and f": {other}" not in chart  # neither the bar nor its tooltip
