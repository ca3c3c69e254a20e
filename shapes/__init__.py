"""SHACL shapes (package data, ``shapes/<name>.ttl``), the validator that explains them, and
the reports built from its findings.

``acceptance`` is the gate for publishing: a record whose heritage object violates it is
quarantined with its report. ``oslo-ap`` is the OSLO application profile at warning level:
reported, never blocking.
"""

from .engines import engine_names, rudof_available
from .materialise import materialise_types
from .validate import Validator, available_shapes, load_shapes

__all__ = ["Validator", "available_shapes", "engine_names", "load_shapes", "materialise_types", "rudof_available"]
