"""Writes of compliance, one module per job: importing sanctions lists, screening firms,
reviewers' decisions, declared owners. Import from here; the modules are the rooms behind it.
"""

from compliance.services.decisions import (
    proposals_withdraw_for_firm,
    screening_confirm,
    screening_dismiss,
)
from compliance.services.owners import (
    beneficial_owner_add,
    beneficial_owner_remove,
    beneficial_owner_shares_check,
    beneficial_owners_replace,
)
from compliance.services.sanctions_lists import (
    BATCH_SIZE,
    KEPT_SCHEMATA,
    REQUIRED_COLUMNS,
    SCREEN_ALL_TASK,
    ParsedEntry,
    SanctionsImportError,
    parse_sanctions_csv,
    sanctions_list_import,
)
from compliance.services.screening import (
    PER_FIRM_LOOKUP_MAX,
    REMATCH_TASK,
    active_list,
    firm_identifiers,
    firm_screen,
    firms_screen,
    rematch_request,
    screening_index_build,
    screening_index_cached,
)

__all__ = [
    "BATCH_SIZE",
    "KEPT_SCHEMATA",
    "PER_FIRM_LOOKUP_MAX",
    "ParsedEntry",
    "REMATCH_TASK",
    "REQUIRED_COLUMNS",
    "SCREEN_ALL_TASK",
    "SanctionsImportError",
    "active_list",
    "beneficial_owner_add",
    "beneficial_owner_remove",
    "beneficial_owner_shares_check",
    "beneficial_owners_replace",
    "firm_identifiers",
    "firm_screen",
    "firms_screen",
    "parse_sanctions_csv",
    "proposals_withdraw_for_firm",
    "rematch_request",
    "sanctions_list_import",
    "screening_confirm",
    "screening_dismiss",
    "screening_index_build",
    "screening_index_cached",
]
