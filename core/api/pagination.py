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

import hashlib

from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from rest_framework.pagination import PageNumberPagination

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
