"""`manage.py seed_demo [--seed 42] [--firms 200]`: a realistic, reproducible demo registry and demo log-ins.

Firms come from `registry.demo.generate_firm_documents` and go through the registry's importer, so
every validation rule applies. Running it again with the same arguments changes nothing.
"""

import random
import time

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import services as accounts_services
from accounts.models import Membership
from registry.demo import generate_firm_documents
from registry.exchange import FORMAT, ExchangeFileError
from registry.models import Firm
from registry.services import firms_import

# Demo log-ins. Known passwords are why the command refuses to run with DEBUG off (see --force).
DEMO_PASSWORD = "alliance-demo-2026"  # noqa: S105 - printed on purpose for the demo
DEMO_USERS = [
    # (username, what, e-mail)
    ("admin", "administrator", "admin@alliance-match.example"),
    ("reviewer", "ministry reviewer", "reviewer@alliance-match.example"),
    ("ua_owner", "owner of a Ukrainian firm", "ua_owner@alliance-match.example"),
    ("partner_owner", "owner of a partner firm", "partner_owner@alliance-match.example"),
]


class Command(BaseCommand):
    help = (
        "Load about 200 realistic firms (a few left pending for the reviewers' queue) and demo users, "
        "and print their log-ins. Reproducible by --seed; running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=42, help="random seed of the generated firms (default 42)")
        parser.add_argument("--firms", type=int, default=200, help="how many firms (default 200)")
        parser.add_argument(
            "--pending", type=int, default=None, help="how many firms stay pending review (default: one in 25)"
        )
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off (creates known passwords)")

    def handle(self, *args, seed: int, firms: int, pending: int | None, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates users with published passwords; refusing with DEBUG off (--force).")
        if firms < 2:
            raise CommandError("--firms must be at least 2 (one Ukrainian and one partner firm).")
        started = time.monotonic()
        docs = generate_firm_documents(firms, seed)
        pending_count = max(1, firms // 25) if pending is None else max(0, min(pending, firms))
        # Which firms wait for review depends only on the seed, so reruns pick the same ones.
        pending_refs = set(random.Random(f"pending-{seed}").sample([d["ref"] for d in docs], pending_count))

        try:
            with transaction.atomic():
                # No rematch per import: `make demo` runs one full `manage.py match` right after.
                verified = firms_import(
                    document=self._document(d for d in docs if d["ref"] not in pending_refs), rematch=False
                )
                waiting = firms_import(
                    document=self._document(d for d in docs if d["ref"] in pending_refs),
                    status=Firm.Status.PENDING,
                    rematch=False,
                )
                logins = self._users(docs, pending_refs)
        except ExchangeFileError as exc:  # the generator and the importer disagree: a bug, say so plainly
            raise CommandError("generated firms failed validation:\n" + "\n".join(exc.problems[:20]))

        self.stdout.write(
            f"Firms: {verified.summary()} (verified); {waiting.summary()} (pending review) "
            f"in {time.monotonic() - started:.1f} s, seed {seed}."
        )
        self.stdout.write("\nDemo log-ins (web: http://127.0.0.1:8000/accounts/login/, API: POST /api/v1/auth/token/):")
        width = max(len(u) for u, *_ in logins)
        for username, password, what in logins:
            self.stdout.write(f"  {username:<{width}}  {password}   {what}")

    @staticmethod
    def _document(docs) -> dict:
        return {"format": FORMAT, "firms": list(docs)}

    def _users(self, docs: list[dict], pending_refs: set[str]) -> list[tuple[str, str, str]]:
        verified = [d["ref"] for d in docs if d["ref"] not in pending_refs]
        firm_for = {
            "ua_owner": next(ref for ref in verified if ref.startswith("ua-")),
            "partner_owner": next(ref for ref in verified if not ref.startswith("ua-")),
        }
        # One hash for all demo users, with a salt fixed by the (published) password itself: reruns
        # compare strings instead of running PBKDF2 per user, and leave the rows byte-identical.
        encoded = make_password(DEMO_PASSWORD, salt="alliancedemo2026")
        rows = []
        for username, what, email in DEMO_USERS:
            user, _ = accounts_services.user_provision(
                username=username,
                password=DEMO_PASSWORD,
                email=email,
                is_reviewer=username == "reviewer",
                is_administrator=username == "admin",
                password_encoded=encoded,
            )
            if username in firm_for:
                firm = Firm.objects.get(ref=firm_for[username])
                accounts_services.membership_set(firm=firm, user=user, role=Membership.Role.OWNER)
                what = f"{what}: {firm.name} ({firm.ref})"
            rows.append((username, DEMO_PASSWORD, what))
        return rows
