"""`manage.py add_user USERNAME --password P [--email E] (--reviewer | --admin | --firm REF [--firm-role ROLE])`."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services
from accounts.models import Membership
from core.errors import ApplicationError
from registry.models import Firm


class Command(BaseCommand):
    help = (
        "Create or update a user (idempotent): a ministry reviewer, an administrator, or a member of the firm "
        "with the given ref. Running it again updates the password and e-mail and sets the role."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True, help="checked against the password rules")
        parser.add_argument("--email", default=None)
        role = parser.add_mutually_exclusive_group(required=True)
        role.add_argument("--reviewer", action="store_true", help="a ministry reviewer")
        role.add_argument("--admin", action="store_true", help="an administrator (superuser)")
        role.add_argument("--firm", metavar="REF", help="a member of the firm with this ref")
        parser.add_argument(
            "--firm-role",
            choices=Membership.Role.values,
            default=None,
            help="role in --firm (default: owner)",
        )

    def handle(self, *args, username, password, email, reviewer, admin, firm, firm_role, **options):
        if firm_role and not firm:
            raise CommandError("--firm-role needs --firm REF")
        try:
            with transaction.atomic():
                firm_obj = None
                if firm:
                    firm_obj = Firm.objects.filter(ref=firm).first()
                    if firm_obj is None:
                        raise CommandError(f"Unknown firm ref {firm!r}: no firm has this ref (see export_firms).")
                user, created = services.user_provision(
                    username=username, password=password, email=email, is_reviewer=reviewer, is_administrator=admin
                )
                what = "administrator" if admin else "reviewer" if reviewer else ""
                if firm_obj is not None:
                    role = firm_role or Membership.Role.OWNER
                    services.membership_set(firm=firm_obj, user=user, role=role)
                    what = f"{role} of {firm_obj.ref} ({firm_obj.name})"
        except ApplicationError as exc:
            details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.fields.items())
            raise CommandError(details or exc.message)
        self.stdout.write(f"{'Created' if created else 'Updated'} {user.username}: {what}")
