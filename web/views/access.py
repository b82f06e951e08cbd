"""Who may open a firm's owner-only pages (webhooks, service accounts): one rule for all of them.

Not a member of the firm: 404 (the page does not exist for you). A member who is not an owner: 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from accounts import selectors
from accounts.models import Membership
from registry.models import Firm


def owner_firm(request: HttpRequest, firm_id: int) -> Firm:
    membership = Membership.objects.filter(user=request.user, firm_id=firm_id).select_related("firm").first()
    if membership is None:
        raise Http404
    if not selectors.user_manages_firm(firm=membership.firm, user=request.user):
        raise PermissionDenied
    return membership.firm
