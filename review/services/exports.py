"""Reviewers' exports of the review workflow: the filtered proposal queue and the dashboard's numbers.

Each is a CSV or XLSX file (`core.exports`, formula-like cells neutralised) with headers and labels in
the reviewer's language (`accounts.selectors.user_language`), built in one query however many rows.
The caller chooses the rows (the queue page's or the API list's filters): the export writes them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_countries import countries

from accounts.models import User
from accounts.selectors import user_language
from core.exports import Export, table_export
from core.i18n import language_code
from core.permissions import require_reviewer
from matching.models import Proposal
from review.selectors import review_funnel

# What a row of the queue export reads: the two firms' names, refs and countries, never their profiles.
QUEUE_EXPORT_FIELDS = (
    "id", "score", "status", "origin", "request_message", "created_at", "reasons", "flags",
    "ukrainian__id", "ukrainian__ref", "ukrainian__name", "ukrainian__country",
    "partner__id", "partner__ref", "partner__name", "partner__country",
)  # fmt: skip
CHUNK = 2000


def _in_language(texts: Mapping[str, Any] | None, lang: str) -> str:
    """{"en": [...], "uk": [...]} -> the texts in `lang` (English when missing), one line."""
    if not texts:
        return ""
    return "; ".join(str(t) for t in (texts.get(lang) or texts.get("en") or []))


def _date(value) -> str:
    return timezone.localtime(value).date().isoformat() if value else ""


def proposal_queue_export(
    *, user: User, proposals: QuerySet[Proposal], file: str, language: str | None = None
) -> Export:
    """`proposals` (already filtered and ordered) as a spreadsheet, one row per proposal; in `language`
    (a page's download: the page's language), else the reviewer's."""
    require_reviewer(user)
    rows_qs = proposals.select_related("ukrainian", "partner").only(*QUEUE_EXPORT_FIELDS)
    with translation.override(language or user_language(user=user)):
        lang = language_code()
        statuses = {value: str(label) for value, label in Proposal.Status.choices}
        origins = {value: str(label) for value, label in Proposal.Origin.choices}
        headers = [
            gettext("Proposal"), gettext("Score"), gettext("State"), gettext("Origin"),
            gettext("Ukrainian firm"), gettext("Ukrainian firm's ref"),
            gettext("Partner firm"), gettext("Partner firm's ref"), gettext("Partner country"),
            gettext("Why"), gettext("Export-control flags"), gettext("The firm's message"), gettext("Created"),
        ]  # fmt: skip
        rows = [
            [
                p.pk, round(p.score, 4), statuses.get(p.status, p.status), origins.get(p.origin, p.origin),
                p.ukrainian.name, p.ukrainian.ref, p.partner.name, p.partner.ref, str(p.partner.country),
                _in_language(p.reasons, lang), _in_language(p.flags, lang), p.request_message, _date(p.created_at),
            ]
            for p in rows_qs.iterator(chunk_size=CHUNK)
        ]  # fmt: skip
        return table_export(file=file, headers=headers, rows=rows, title=gettext("Proposals"), name="proposals")


def review_dashboard_export(
    *,
    user: User,
    numbers: Mapping[str, Any],
    file: str,
    domain_label: Callable[[str], str] = str,
    language: str | None = None,
) -> Export:
    """The dashboard's numbers as a spreadsheet of (figure, breakdown, value) rows.

    `numbers` is what the dashboard shows: `{"stats": review_stats(), "coverage": [...],
    "histogram": [...], "computed_at": datetime}` (the pages' cached figures), or only `stats` (the
    API); sections without data are left out. `domain_label` names a capability domain (called in the
    reviewer's language; the code itself by default). No query of its own. In `language` (a page's
    download: the page's language), else the reviewer's.
    """
    require_reviewer(user)
    with translation.override(language or user_language(user=user)):
        headers = [gettext("Figure"), gettext("Breakdown"), gettext("Value")]
        rows = list(_dashboard_rows(numbers, domain_label))
        return table_export(file=file, headers=headers, rows=rows, title=gettext("Dashboard"), name="dashboard")


def _dashboard_rows(numbers: Mapping[str, Any], domain_label: Callable[[str], str]):
    stats = numbers["stats"]
    counts = stats["counts"]
    status_label = {value: str(label) for value, label in Proposal.Status.choices}
    if numbers.get("computed_at"):
        yield gettext("Figures as of"), "", timezone.localtime(numbers["computed_at"]).isoformat(timespec="seconds")
    yield gettext("Proposals"), gettext("Total"), stats["total"]
    for status, label in status_label.items():
        yield gettext("Proposals by state"), label, counts.get(status, 0)
    for status, n in review_funnel(counts=counts):
        yield gettext("Pipeline funnel"), status_label[status], n
    yield gettext("Median hours to a decision"), "", stats["median_hours_to_decision"]
    yield gettext("Median hours to a connection"), "", stats["median_hours_to_connection"]
    rate = stats["acceptance_rate"]
    yield gettext("Introductions accepted, percent"), "", None if rate is None else round(rate * 100, 1)
    for bucket in numbers.get("histogram") or []:
        yield gettext("Score distribution"), f"{bucket['lo']:.1f}–{bucket['hi']:.1f}", bucket["count"]
    coverage = sorted(numbers.get("coverage") or [], key=lambda c: domain_label(c["domain"]))
    for c in coverage:
        yield gettext("Ukrainian firms seeking"), domain_label(c["domain"]), c["ua_seek"]
    for c in coverage:
        yield gettext("Partner firms offering"), domain_label(c["domain"]), c["partner_offer"]
    for domain, n in sorted(stats["open_by_domain"].items(), key=lambda item: domain_label(item[0])):
        yield gettext("Open proposals by domain"), domain_label(domain), n
    kinds = {value: str(label) for value, label in Proposal.OutcomeKind.choices}
    for kind, n in sorted(stats["partnerships_by_kind"].items(), key=lambda item: -item[1]):
        yield gettext("Partnerships by kind"), kinds.get(kind, kind), n
    by_country: Counter[str] = Counter()
    for row in stats["partnerships_by_country_pair"]:
        by_country[row["partner_country"]] += row["count"]
    for code, n in by_country.most_common():
        yield gettext("Partnerships by partner country"), str(countries.name(code) or code), n
