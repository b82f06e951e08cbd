"""Page-number pagination that counts as little as it can.

Counting is most of the cost of a broad list: a reviewer's `/proposals/` counted 100,000 rows
(~20 ms in PostgreSQL) on every page, and a search matching most of the registry did the same.
So:

- Each page reads one row more than it shows. That row says whether a next page exists, so the
  rows and the `next` link are always current, and on a last page (which is every page of a
  small result) the total is known exactly without a count query.
- Otherwise the total is counted, and totals up to `EXACT_COUNT_UP_TO` are never cached (a
  `LIMIT`ed count was tried: PostgreSQL then prefers a sequential scan that stops early, which
  with a full-text filter costs more than the whole count through the index).
- Only a total above that is cached, in the shared cache for `LARGE_COUNT_TTL` seconds,
  under a key made of the count query's SQL and parameters (which carry everything that shapes
  the result: the caller's visibility, filters, search). A reviewer paging through 2,000 pages
  counts once, and a total of 17,000 may lag new or removed rows by at most that long.
"""

import base64
import binascii
import datetime
import hashlib
import json
import math

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from core.errors import ApplicationError

EXACT_COUNT_UP_TO = 1000
LARGE_COUNT_TTL = 30
MAX_PAGE = 10**9


class LookaheadPaginator(Paginator):
    def validate_number(self, number):
        # Unlike Django's, this does not compare with the page count: `page()` finds out.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGE:  # its offset would overflow PostgreSQL's bigint; no list is that long
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        more = len(rows) > self.per_page
        rows = rows[: self.per_page]
        seen = bottom + len(rows)
        # `count` is a cached_property of Paginator: set it to what this page established.
        self.__dict__["count"] = max(self._total(), seen + 1) if more else seen
        return self._get_page(rows, number, self)

    def _total(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return len(queryset)
        sql, params = queryset.query.sql_with_params()
        key = "page-count:" + hashlib.sha256(repr((queryset.db, sql, params)).encode()).hexdigest()
        total = cache.get(key)
        if total is None:
            total = queryset.count()
            if total > EXACT_COUNT_UP_TO:  # only large totals are ever cached
                cache.set(key, total, LARGE_COUNT_TTL)
        return total


class Pagination(PageNumberPagination):
    django_paginator_class = LookaheadPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        """`page_size` from 1 up; above `max_page_size` it is capped (documented). 0, a negative number
        or a word is a typo that would otherwise silently give the default: 400 naming the parameter."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None:
            try:
                valid = int(raw) >= 1
            except ValueError:
                valid = False
            if not valid:
                message = gettext("Must be a whole number from 1 to %(max)s.") % {"max": self.max_page_size}
                raise ValidationError({self.page_size_query_param: [message]})
        return super().get_page_size(request)

    def get_page_number(self, request, paginator):
        """`page` from 1 up, or `last` (as DRF has always allowed); empty means 1; 0, a negative number
        or another word is a 400 naming `page` (it was a 404)."""
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw == "":
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        try:
            valid = int(raw) >= 1
        except ValueError:
            valid = False
        if not valid:
            raise ValidationError({self.page_query_param: [gettext("Must be a whole number from 1 up.")]})
        return int(raw)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            # Past the last page: still a 404 (the page does not exist), naming `page` and the valid range.
            size = self.get_page_size(request)
            last = max(1, math.ceil(self.django_paginator_class(queryset, size)._total() / size))
            number = request.query_params.get(self.page_query_param)
            message = gettext("There is no page %(page)s: this list has pages 1 to %(last)s.")
            message %= {"page": number, "last": last}
            fields = {self.page_query_param: [gettext("Must be from 1 to %(last)s.") % {"last": last}]}
            raise ApplicationError(message, code="not_found", status=404, fields=fields) from None

    def get_paginated_response_schema(self, schema):
        """`next` and `previous` are always in the answer (null at the ends): required, like `count`."""
        result = super().get_paginated_response_schema(schema)
        result["required"] = ["count", "next", "previous", "results"]
        return result


# --- Sync: `updated_since` and an opaque `cursor` (issue 16) ----------------------------------------
#
# A list view that sets `sync_field` (e.g. "updated_at") also takes `updated_since` (RFC 3339) and
# `cursor`. With either, or with `ordering=<sync_field>,id`, the page is read by keyset
# (`sync_field`, id) after the cursor instead of by offset, so a partner syncing while rows change
# never misses or repeats one: a row changed meanwhile moves past the cursor and comes again later.


def _list_scope(path: str) -> str:
    """Names the list a cursor belongs to (its path): a cursor of `/proposals/` is refused on `/firms/`."""
    return hashlib.sha256(path.encode()).hexdigest()[:12]


def _encode_cursor(value, pk: int, scope: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([value.isoformat(), pk, scope]).encode()).decode().rstrip("=")


def _decode_cursor(raw: str, scope: str):
    try:
        stamp, pk, of = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        moment = parse_datetime(stamp)
        if moment is None or timezone.is_naive(moment) or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        moment = moment.astimezone(datetime.UTC)
    except (ValueError, TypeError, OverflowError, binascii.Error, UnicodeDecodeError):
        message = gettext("Not a cursor this API gave: use the `next` link of the previous page as it is.")
        raise ValidationError({"cursor": [message]}) from None
    if of != scope:
        message = gettext("This cursor belongs to another list: use it only with the list whose `next` link gave it.")
        raise ValidationError({"cursor": [message]})
    return moment, pk


def _parse_since(raw: str):
    message = gettext("Give an RFC 3339 time with its offset, e.g. 2026-12-01T09:30:00Z.")
    try:
        moment = parse_datetime(raw.replace(" ", "+")) if raw else None  # an unencoded `+` arrives as a space
    except ValueError:  # the right shape, an impossible date or time (2026-02-30, 25:00)
        moment = None
    if moment is None or timezone.is_naive(moment):
        raise ValidationError({"updated_since": [message]})
    try:
        return moment.astimezone(datetime.UTC)  # PostgreSQL refuses offsets past 15:59
    except OverflowError:  # 0001-01-01T00:00:00+14:00 is before the year 1 in UTC
        outside = gettext(
            "Give a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z: this one is outside those years in UTC."
        )
        raise ValidationError({"updated_since": [outside]}) from None


class SyncPagination(Pagination):
    """Page numbers as before; keyset pages over (`view.sync_field`, id) when asked to sync."""

    cursor_query_param = "cursor"
    since_query_param = "updated_since"

    def _sync_field(self, view):
        return getattr(view, "sync_field", None)

    def _syncing(self, request, field: str) -> bool:
        params = request.query_params
        return (
            self.cursor_query_param in params
            or self.since_query_param in params
            or params.get("ordering", "").replace(" ", "") == f"{field},id"
        )

    def paginate_queryset(self, queryset, request, view=None):
        field = self._sync_field(view)
        if not field or not self._syncing(request, field):
            self.sync = False
            return super().paginate_queryset(queryset, request, view)
        self.sync, self.request = True, request
        params = request.query_params
        self._refuse_offset_parameters(params, field)
        scope = _list_scope(request.path)
        if params.get(self.since_query_param) is not None:
            queryset = queryset.filter(**{f"{field}__gte": _parse_since(params[self.since_query_param])})
        if params.get(self.cursor_query_param):
            moment, pk = _decode_cursor(params[self.cursor_query_param], scope)
            queryset = queryset.filter(Q(**{f"{field}__gt": moment}) | Q(**{field: moment, "pk__gt": pk}))
        size = self.get_page_size(request)
        rows = list(queryset.order_by(field, "pk")[: size + 1])
        self.has_next = len(rows) > size
        self.page_rows = rows[:size]
        last = self.page_rows[-1] if self.page_rows else None
        self.next_cursor = _encode_cursor(getattr(last, field), last.pk, scope) if self.has_next and last else None
        return self.page_rows

    def _refuse_offset_parameters(self, params, field: str) -> None:
        """A sync page is ordered by (`field`, id) and reached through `cursor`: an `ordering` or `page` it
        would ignore is a 400 naming it (it was silently ignored, and `next` kept it)."""
        sync_order = f"{field},id"
        ordering = params.get("ordering")
        if ordering is not None and ordering.replace(" ", "") != sync_order:
            message = gettext(
                "With `updated_since` or `cursor` the list is ordered by %(order)s: leave out `ordering` or give %(order)s."
            )
            raise ValidationError({"ordering": [message % {"order": sync_order}]})
        if self.page_query_param in params:
            message = gettext("With `updated_since` or `cursor` pages follow the `next` link: leave out `page`.")
            raise ValidationError({self.page_query_param: [message]})

    def get_paginated_response(self, data):
        if not getattr(self, "sync", False):
            return super().get_paginated_response(data)
        next_url = None
        if self.next_cursor:
            url = self.request.build_absolute_uri()
            next_url = replace_query_param(url, self.cursor_query_param, self.next_cursor)
            next_url = remove_query_param(next_url, self.page_query_param)
        # `count`: the rows of this page (a sync counts nothing: follow `next` until it is null).
        return Response({"count": len(data), "next": next_url, "previous": None, "results": data})

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
                parameter["description"] = f"Rows per page, at most {self.max_page_size} (default {self.page_size})."
        field = self._sync_field(view)
        if not field:
            return parameters
        return [
            *parameters,
            {
                "name": self.since_query_param,
                "required": False,
                "in": "query",
                "description": f"Only rows whose `{field}` is at or after this RFC 3339 time. Switches to sync "
                f"paging: ordered by `{field}`, then id; follow `next` (it carries a `cursor`) until it is null.",
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque: the position after the previous sync page. Take it from `next`; never build it.",
                "schema": {"type": "string"},
            },
        ]
