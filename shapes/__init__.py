"""SHACL shapes (package data, ``shapes/<name>.ttl``) and the validator that explains them.

``acceptance`` is the gate for publishing: a record whose heritage object violates it is
quarantined with its report.
"""

from .materialise import materialise_types
from .validate import Validator, available_shapes, load_shapes

__all__ = ["Validator", "available_shapes", "load_shapes", "materialise_types"]
