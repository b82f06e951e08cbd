"""Event pages: the list, an event's page (register, request, answer), the organiser's page (scheduler,
progress, locks, publish, numbers), personal agendas (web, print, .ics) and the calendar feed."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.models import Membership
from core.errors import ApplicationError
from events import selectors, services
from events.calendar import agenda_ics
from events.models import CalendarFeed, Event, Meeting, Participation, ScheduleRun
from events.rules import EDIT_ROLES, slots_of


def reviewer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.can_review:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _event(request: HttpRequest, pk: int) -> Event:
    try:
        return selectors.event_get_for(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404 from exc


def _participation(request: HttpRequest, pk: int) -> Participation:
    try:
        return selectors.participation_get_for(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404 from exc


def _act(request: HttpRequest, action, success: str) -> None:
    """Run a service; its refusal (in the person's language) becomes an error message."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)


class EventForm(forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200)
    name_uk = forms.CharField(label=gettext_lazy("Name in Ukrainian"), max_length=200)
    venue = forms.CharField(label=gettext_lazy("Venue"), max_length=300, required=False)
    online = forms.BooleanField(label=gettext_lazy("Online event"), required=False)
    timezone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64, initial="Europe/Kyiv")
    days = forms.CharField(
        label=gettext_lazy("Days"), help_text=gettext_lazy("Dates as YYYY-MM-DD, separated by commas.")
    )
    meeting_minutes = forms.IntegerField(
        label=gettext_lazy("Meeting length, minutes"), min_value=5, max_value=240, initial=30
    )
    blocks = forms.CharField(
        label=gettext_lazy("Meeting blocks each day"),
        initial="09:00-12:00, 13:00-17:00",
        help_text=gettext_lazy("Start and end as HH:MM-HH:MM, separated by commas; the gaps are breaks."),
    )
    table_count = forms.IntegerField(label=gettext_lazy("Number of tables"), min_value=1, max_value=1000, initial=20)
    zones = forms.CharField(
        label=gettext_lazy("Zones of the tables"),
        required=False,
        help_text=gettext_lazy("Optional: one zone name per table in order, separated by commas."),
    )
    max_meetings_per_firm = forms.IntegerField(
        label=gettext_lazy("At most meetings per firm"), min_value=1, max_value=100, initial=12
    )
    opt_out = forms.BooleanField(
        label=gettext_lazy("Requests count as accepted unless declined (opt-out)"), required=False
    )

    def clean_days(self):
        try:
            return [dt.date.fromisoformat(d.strip()) for d in self.cleaned_data["days"].split(",") if d.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Each day must be a date in the form YYYY-MM-DD.")) from exc

    def clean_blocks(self):
        out = []
        for part in self.cleaned_data["blocks"].split(","):
            if not part.strip():
                continue
            if "-" not in part:
                raise forms.ValidationError(_("Write each block as HH:MM-HH:MM."))
            start, end = (p.strip() for p in part.split("-", 1))
            out.append({"start": start, "end": end})
        return out

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        zones = [z.strip() for z in (data.pop("zones") or "").split(",")]
        count = data.pop("table_count")
        data["tables"] = [{"number": n + 1, "zone": zones[n] if n < len(zones) else ""} for n in range(count)]
        return data


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = selectors.event_list_for(user=request.user)
    return render(request, "web/events/list.html", {"events": events})


@reviewer_required
def event_create(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(reviewer=request.user, data=form.data_for_service())
        except ApplicationError as error:
            for field, problems in error.fields.items():
                target = field if field in form.fields else ("table_count" if field == "tables" else None)
                for problem in problems:
                    form.add_error(target, problem)
        else:
            messages.success(request, _("The event was created as a draft."))
            return redirect("web:event_organise", event.pk)
    return render(request, "web/events/form.html", {"form": form})


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    mine = selectors.participations_of_user(user=request.user, event=event)
    active = [p for p in mine if p.status == Participation.Status.ACTIVE]
    registered = {p.firm_id for p in active}
    writable = Membership.objects.filter(user=request.user, role__in=EDIT_ROLES).select_related("firm")
    can_register = [m.firm for m in writable if m.firm_id not in registered]
    members = {
        m.firm_id: list(Membership.objects.filter(firm=m.firm).select_related("user").order_by("user__username"))
        for m in writable
        if m.firm_id not in registered
    }
    panels = []
    for p in active:
        requests = list(selectors.request_list_for(participation=p))
        panels.append(
            {
                "participation": p,
                "sent": [r for r in requests if r.sender_id == p.pk],
                "received": [r for r in requests if r.receiver_id == p.pk],
                "suggestions": selectors.suggestions_for(participation=p),
                "can_write": any(m.firm_id == p.firm_id for m in writable),
            }
        )
    context = {
        "event": event,
        "slots": slots_of(event),
        "participants": selectors.participant_list(event=event),
        "panels": panels,
        "register_firms": [(f, members.get(f.pk, [])) for f in can_register],
        "blocks": list(enumerate(event.blocks)),
    }
    return render(request, "web/events/detail.html", context)


def _ints(values) -> list[int]:
    out = []
    for v in values:
        try:
            out.append(int(v))
        except (TypeError, ValueError):
            continue
    return out


@login_required
@require_POST
def event_register(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    firm_ids = _ints([request.POST.get("firm")])
    membership = Membership.objects.filter(user=request.user, firm_id__in=firm_ids).select_related("firm").first()
    if membership is None:
        raise Http404
    _act(
        request,
        lambda: services.participation_register(
            event=event,
            user=request.user,
            firm=membership.firm,
            attendees=_ints(request.POST.getlist("attendees")),
            blocks=_ints(request.POST.getlist("blocks")) or None,
            blocked_slots=_ints(request.POST.getlist("blocked_slots")),
        ),
        _("%(firm)s is registered.") % {"firm": membership.firm.name},
    )
    return redirect("web:event_detail", pk)


@login_required
@require_POST
def request_send(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation(request, pk)
    receiver = _ints([request.POST.get("receiver")])
    _act(
        request,
        lambda: services.request_send(
            sender=participation,
            receiver=receiver[0] if receiver else 0,
            user=request.user,
            reason=request.POST.get("reason", ""),
            priority=(_ints([request.POST.get("priority")]) or [3])[0],
        ),
        _("Your meeting request was sent."),
    )
    return redirect("web:event_detail", participation.event_id)


def _answer(request: HttpRequest, pk: int, accept: bool) -> HttpResponse:
    try:
        meeting_request = selectors.request_get_for(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    if accept:
        action, message = services.request_accept, _("You accepted the meeting request.")
    else:
        action, message = services.request_decline, _("You declined the meeting request.")
    _act(request, lambda: action(request=meeting_request, user=request.user), message)
    return redirect("web:event_detail", meeting_request.event_id)


@login_required
@require_POST
def request_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, accept=True)


@login_required
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, accept=False)


@reviewer_required
def event_organise(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    context = {
        "event": event,
        "run": selectors.latest_run(event=event),
        "meetings": selectors.event_meetings(event=event),
        "stats": selectors.event_stats(event=event),
        "slot_count": len(slots_of(event)),
        "transitions": [
            (status, Event.Status(status).label) for status in services.events.TRANSITIONS.get(event.status, ())
        ],
    }
    return render(request, "web/events/organise.html", context)


@reviewer_required
@require_POST
def event_status(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    status = request.POST.get("status", "")
    _act(
        request,
        lambda: services.event_set_status(event=event, reviewer=request.user, status=status),
        _("The event's status was changed."),
    )
    return redirect("web:event_organise", pk)


@reviewer_required
@require_POST
def event_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    limit = (_ints([request.POST.get("time_limit")]) or [30])[0]
    _act(
        request,
        lambda: services.schedule_start(event=event, reviewer=request.user, time_limit=limit),
        _("The scheduler was started."),
    )
    return redirect("web:event_organise", pk)


@reviewer_required
def event_run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment htmx polls every second while the run is queued or running."""
    run = get_object_or_404(ScheduleRun, pk=pk)
    return render(request, "web/events/run_progress.html", {"run": run, "event_id": run.event_id})


@reviewer_required
@require_POST
def event_publish(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    final = request.POST.get("final") == "1"
    _act(
        request,
        lambda: services.event_publish(event=event, reviewer=request.user, final=final),
        _("The agenda was published."),
    )
    return redirect("web:event_organise", pk)


@reviewer_required
@require_POST
def meeting_lock(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting, pk=pk)
    locked = request.POST.get("locked") == "1"
    _act(
        request, lambda: services.meeting_set_locked(meeting=meeting, reviewer=request.user, locked=locked), _("Saved.")
    )
    return redirect("web:event_organise", meeting.event_id)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_get_for(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    firm = _ints([request.POST.get("firm")])
    _act(
        request,
        lambda: services.meeting_cancel(meeting=meeting, user=request.user, firm_id=firm[0] if firm else None),
        _("The meeting was cancelled; the other firm is told."),
    )
    page = "web:event_organise" if request.POST.get("back") == "organise" else "web:event_detail"
    return redirect(page, meeting.event_id)


@login_required
@require_POST
def meeting_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        meeting = selectors.meeting_get_for(user=request.user, pk=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    firm = _ints([request.POST.get("firm")])
    _act(
        request,
        lambda: services.meeting_follow_up(
            meeting=meeting, user=request.user, answer=request.POST.get("answer", ""), firm_id=firm[0] if firm else None
        ),
        _("Your answer was recorded."),
    )
    return redirect("web:event_detail", meeting.event_id)


def _agenda_context(request: HttpRequest, participation: Participation) -> dict:
    feed, _created = CalendarFeed.objects.get_or_create(user=request.user)
    return {
        "event": participation.event,
        "participation": participation,
        "rows": selectors.agenda_for(participation=participation),
        "attendees": list(participation.attendees.order_by("username")),
        "feed_url": request.build_absolute_uri(reverse("web:event_calendar_feed", args=[feed.token])),
    }


@login_required
def agenda(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation(request, pk)
    return render(request, "web/events/agenda.html", _agenda_context(request, participation))


@login_required
def agenda_print(request: HttpRequest, pk: int) -> HttpResponse:
    """One printed page per attendee: their meetings with counterpart, table and time."""
    participation = _participation(request, pk)
    return render(request, "web/events/agenda_print.html", _agenda_context(request, participation))


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def agenda_ics_download(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation(request, pk)
    event = participation.event
    items = [(event, row) for row in selectors.agenda_for(participation=participation)]
    name = f"{event.name} · {participation.firm.name}"
    return _ics_response(agenda_ics(items=items, name=name), f"agenda-{event.pk}-{participation.firm_id}.ics")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's meetings as a calendar feed; the secret token in the URL is the only key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404
    items = selectors.user_feed_meetings(user=feed.user)
    return _ics_response(agenda_ics(items=items, name=_("Alliance Match meetings")), "meetings.ics")
