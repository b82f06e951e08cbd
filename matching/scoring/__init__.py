"""The Django-free matching core: features as arrays in, scored and explained pairs out.

Nothing here may import Django (a test checks): the `matching` app loads features from the
database into `SideFeatures`, builds a `Model` and writes the `Selection` as proposals.
"""

from .explain import explain
from .features import CERTIFICATIONS, CLEARANCES, PARTNERSHIP_TYPES, SideFeatures
from .model import Block, Candidates, Model
from .params import COMPONENTS, DEFAULT_WEIGHTS, MatchParams
from .select import Selection, select_proposals
from .taxonomy import Taxonomy

__all__ = [
    "CERTIFICATIONS",
    "CLEARANCES",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PARTNERSHIP_TYPES",
    "Block",
    "Candidates",
    "MatchParams",
    "Model",
    "Selection",
    "SideFeatures",
    "Taxonomy",
    "explain",
    "select_proposals",
]
