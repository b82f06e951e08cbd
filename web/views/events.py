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
from web.forms import FreeTextRulesMixin, add_service_errors


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
    FIELD_ALIASES = {"tables": "table_count"}

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

    def clean(self):
        cleaned = super().clean()
        # The service's rules (time zone, block times, days) in the same round as the form's own, on
        # what the form could read: a field the form already refused keeps only its own message.
        try:
            services.event_check(data=self.data_for_service())
        except ApplicationError as error:
            add_service_errors(self, error, skip=list(self.errors))
        return cleaned

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        zones = [z.strip() for z in (data.pop("zones", None) or "").split(",")]
        count = data.pop("table_count", None) or 0
        data["tables"] = [{"number": n + 1, "zone": zones[n] if n < len(zones) else ""} for n in range(count)]
        return data


class ServiceErrorsMixin:
    """A service's refusal (ApplicationError) lands on the fields it names; the page answers with its
    status (400 for a broken rule by field)."""

    def add_service_errors(self, error: ApplicationError) -> int:
        add_service_errors(self, error)  # type: ignore[arg-type]
        return 400 if error.fields else error.status


ID_MAX = 2**31 - 1  # the largest id a row can have; a bigger number is no row (and no overflow)


class IdListField(forms.Field):
    """The ids ticked in a group of boxes, as whole numbers. Which ids are allowed is the service's
    rule (members of the firm, blocks of the event): its refusal lands on this field."""

    widget = forms.CheckboxSelectMultiple
    default_error_messages = {"invalid": gettext_lazy("Choose only from the list.")}

    def to_python(self, value) -> list[int]:
        if value in self.empty_values:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        try:
            ids = [int(str(v)) for v in values]
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if any(not (0 <= i <= ID_MAX) for i in ids):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return ids


class RegisterForm(ServiceErrorsMixin, forms.Form):
    """A firm registers for an event; `events.services.participation_register` applies the rules."""

    firm = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=ID_MAX)
    attendees = IdListField(label=gettext_lazy("Attendees (one to three members of the firm)"), required=False)
    blocks = IdListField(label=gettext_lazy("Blocks you attend"), required=False)
    blocked_slots = IdListField(label=gettext_lazy("Slots you cannot meet in"), required=False)

    def __init__(self, *args, event: Event, firm, members=(), slots=(), user=None, **kwargs):
        members = list(members)
        kwargs.setdefault("auto_id", f"id_register_{firm.pk}_%s")
        kwargs["initial"] = {
            "firm": firm.pk,
            "blocks": list(range(len(event.blocks))),  # every block, as the API without `blocks`
            "attendees": [m.user_id for m in members if user is not None and m.user_id == user.pk],
        }
        super().__init__(*args, **kwargs)
        self.firm_obj = firm
        self.fields["attendees"].widget.choices = [
            (m.user_id, m.user.get_full_name() or m.user.username) for m in members
        ]
        self.fields["blocks"].widget.choices = [(i, f"{b['start']}–{b['end']}") for i, b in enumerate(event.blocks)]
        self.fields["blocked_slots"].widget.choices = [
            (slot.index, f"{slot.date.isoformat()} {slot.start:%H:%M}") for slot in slots
        ]


class MeetingRequestForm(ServiceErrorsMixin, FreeTextRulesMixin, forms.Form):
    """A meeting request; `events.services.request_send` applies the rules (length, priority, receiver)."""

    receiver = forms.IntegerField(label=gettext_lazy("Firm"), min_value=0, max_value=ID_MAX, widget=forms.Select)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the meeting"),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
    )
    priority = forms.IntegerField(
        label=gettext_lazy("Priority (1 = most wanted)"),
        required=False,
        initial=3,
        widget=forms.Select(choices=[(n, str(n)) for n in range(1, 6)]),
    )

    def __init__(self, *args, participation: Participation, participants=(), **kwargs):
        kwargs.setdefault("auto_id", f"id_request_{participation.pk}_%s")
        super().__init__(*args, **kwargs)
        self.participation_pk = participation.pk
        self.fields["receiver"].widget.choices = [
            (other.pk, f"{other.firm.name} ({other.firm.country})")
            for other in participants
            if other.pk != participation.pk
        ]


class ScheduleForm(ServiceErrorsMixin, forms.Form):
    """The scheduler's time limit; `events.services.schedule_start` applies the bounds."""

    time_limit = forms.IntegerField(
        label=gettext_lazy("Time limit, seconds"),
        required=False,
        initial=30,
        widget=forms.NumberInput(attrs={"id": "time-limit", "min": 1, "max": 300}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=Event.Status.choices)


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
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event was created as a draft."))
            return redirect("web:event_organise", event.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/events/form.html", {"form": form}, status=status)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _event(request, pk))


def _detail_page(
    request: HttpRequest, event: Event, *, bound: RegisterForm | MeetingRequestForm | None = None, status: int = 200
) -> HttpResponse:
    """The event's page; `bound` is a submitted form the service refused, shown in its place with
    what was typed and the errors beside the fields."""
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
    slots = slots_of(event)
    participants = list(selectors.participant_list(event=event))
    panels = []
    for p in active:
        requests = list(selectors.request_list_for(participation=p))
        if isinstance(bound, MeetingRequestForm) and bound.participation_pk == p.pk:
            request_form = bound
        else:
            request_form = MeetingRequestForm(participation=p, participants=participants)
        panels.append(
            {
                "participation": p,
                "sent": [r for r in requests if r.sender_id == p.pk],
                "received": [r for r in requests if r.receiver_id == p.pk],
                "suggestions": selectors.suggestions_for(participation=p),
                "can_write": any(m.firm_id == p.firm_id for m in writable),
                "form": request_form,
            }
        )
    register_forms = []
    for f in can_register:
        if isinstance(bound, RegisterForm) and bound.firm_obj.pk == f.pk:
            register_forms.append(bound)
        else:
            register_forms.append(
                RegisterForm(event=event, firm=f, members=members.get(f.pk, []), slots=slots, user=request.user)
            )
    if bound is not None and not any(bound is f for f in [*register_forms, *(p["form"] for p in panels)]):
        _errors_as_messages(request, bound)  # its firm's form is not on the page (registered, withdrawn)
    context = {
        "event": event,
        "slots": slots,
        "participants": participants,
        "panels": panels,
        "register_forms": register_forms,
        "blocks": list(enumerate(event.blocks)),
    }
    return render(request, "web/events/detail.html", context, status=status)


def _errors_as_messages(request: HttpRequest, form: forms.Form) -> None:
    """A refused form that has no place on the page: its errors as messages, each with its field's label."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


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
    firm_ids = [i for i in _ints([request.POST.get("firm")]) if 0 < i <= ID_MAX]
    membership = Membership.objects.filter(user=request.user, firm_id__in=firm_ids).select_related("firm").first()
    if membership is None:
        raise Http404
    members = Membership.objects.filter(firm=membership.firm).select_related("user").order_by("user__username")
    form = RegisterForm(request.POST, event=event, firm=membership.firm, members=members, slots=slots_of(event))
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.participation_register(
                event=event,
                user=request.user,
                firm=membership.firm,
                attendees=data["attendees"],
                blocks=data["blocks"] or None,  # none ticked: every block (as the API without `blocks`)
                blocked_slots=data["blocked_slots"],
            )
        except ApplicationError as error:
            status = form.add_service_errors(error)
        else:
            messages.success(request, _("%(firm)s is registered.") % {"firm": membership.firm.name})
            return redirect("web:event_detail", pk)
    return _detail_page(request, event, bound=form, status=status)


@login_required
@require_POST
def request_send(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation(request, pk)
    participants = list(selectors.participant_list(event=participation.event))
    form = MeetingRequestForm(request.POST, participation=participation, participants=participants)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_send(
                sender=participation,
                receiver=data["receiver"],
                user=request.user,
                reason=data["reason"],
                priority=3 if data["priority"] is None else data["priority"],
            )
        except ApplicationError as error:
            status = form.add_service_errors(error)
        else:
            messages.success(request, _("Your meeting request was sent."))
            return redirect("web:event_detail", participation.event_id)
    return _detail_page(request, participation.event, bound=form, status=status)


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
    return _organise_page(request, _event(request, pk))


def _organise_page(
    request: HttpRequest,
    event: Event,
    *,
    schedule_form: ScheduleForm | None = None,
    status_form: StatusForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The organiser's page; a refused status change or scheduler run is shown with its errors."""
    context = {
        "schedule_form": schedule_form or ScheduleForm(),
        "status_form": status_form,
        "event": event,
        "run": selectors.latest_run(event=event),
        "meetings": selectors.event_meetings(event=event),
        "stats": selectors.event_stats(event=event),
        "slot_count": len(slots_of(event)),
        "transitions": [
            (status, Event.Status(status).label) for status in services.events.TRANSITIONS.get(event.status, ())
        ],
    }
    return render(request, "web/events/organise.html", context, status=status)


@reviewer_required
@require_POST
def event_status(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = StatusForm(request.POST)
    code = 400
    if form.is_valid():
        try:
            services.event_set_status(event=event, reviewer=request.user, status=form.cleaned_data["status"])
        except ApplicationError as error:
            add_service_errors(form, error)
            code = 400 if error.fields else error.status
        else:
            messages.success(request, _("The event's status was changed."))
            return redirect("web:event_organise", pk)
    return _organise_page(request, event, status_form=form, status=code)


@reviewer_required
@require_POST
def event_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    form = ScheduleForm(request.POST)
    status = 400
    if form.is_valid():
        limit = form.cleaned_data["time_limit"]
        try:
            services.schedule_start(event=event, reviewer=request.user, time_limit=30 if limit is None else limit)
        except ApplicationError as error:
            status = form.add_service_errors(error)
        else:
            messages.success(request, _("The scheduler was started."))
            return redirect("web:event_organise", pk)
    return _organise_page(request, event, schedule_form=form, status=status)


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
