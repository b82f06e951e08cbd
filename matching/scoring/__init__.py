"""The Django-free matching core: features as arrays in, scored and explained pairs out.

Nothing here may import Django (a test checks): the `matching` app loads features from the
database into `SideFeatures`, builds a `Model` and writes the `Selection` as proposals.

Components of a pair, each in [0, 1] (weights and knobs in `MatchParams`):
- complementarity: per direction (partner offers vs Ukrainian needs, and the reverse) the mean
  of coverage of the seeker's needs and the best single need met (exact = 1, same domain =
  domain_credit); combined as 0.5 * max + 0.5 * harmonic mean, so two-way > one-way while a
  strong one-way supply fit still counts;
- coproduction: can one firm make what the other offers? The share of one firm's offers the
  other's offers cover (exact = 1, curated adjacent = the edge weight, same domain = domain_credit),
  the better of the two directions, so a broad prime is not marked down for its breadth; in full
  when both declare co-production / joint venture / licensed production, half when one does;
- partnership: declared types, same = 1, compatible pairs (e.g. supply - co-production) partial;
- text: TF-IDF cosine of description + capability details over one vocabulary for both sides;
- assurance: AQAP-2110 on both sides, other certificates in common, clearance levels close;
- capacity: min(offer / need, 1) where a need and the matching offer both give monthly
  quantities; where none do, its weight drops out of the total.
total = weighted sum / sum of applicable weights, 0 when complementarity, co-production and text
are all below min_substance. Deterministic to the bit, whatever the chunking.

Selection (select.py): pairs in either firm's top-k are allocated globally, as a b-matching within
each firm's capacity (capacity.py: by size, minus slots in use), maximising score weighted up where
both sides rank the pair highly.
"""

from .capacity import firm_capacity
from .explain import explain
from .features import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES, SideFeatures
from .model import Block, Candidates, ColumnTops, Model
from .params import COMPONENTS, DEFAULT_WEIGHTS, MatchParams
from .select import Selection, allocate, select_proposals
from .taxonomy import Taxonomy

__all__ = [
    "CERTIFICATIONS",
    "CLEARANCES",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PARTNERSHIP_TYPES",
    "Block",
    "Candidates",
    "ColumnTops",
    "MatchParams",
    "Model",
    "Selection",
    "SideFeatures",
    "Taxonomy",
    "allocate",
    "explain",
    "firm_capacity",
    "select_proposals",
]
