"""pyshacl's constraint parameter list answers `in` from a set, with the same answers.

See sic.kept_shapes._Parameters.
"""

from __future__ import annotations

import pyshacl.shape as pyshacl_shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS
from rdflib import Literal, URIRef

from sic.kept_shapes import _Parameters
from sic.validation import validator
from sic.vocab import SH


def test_the_installed_list_holds_pyshacls_parameters_in_order() -> None:
    validator()  # installs the table
    parameters, _ = pyshacl_shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
    assert isinstance(parameters, _Parameters)
    assert list(parameters) == list(ALL_CONSTRAINT_PARAMETERS)


def test_membership_copy_and_growth_agree_with_a_plain_list() -> None:
    plain = list(ALL_CONSTRAINT_PARAMETERS)
    fast = _Parameters(plain)
    probes = [
        *plain,
        SH.expression,
        SH.js,
        SH.path,
        URIRef(str(SH.minCount)),
        Literal(str(SH.minCount)),
    ]
    assert [p in fast for p in probes] == [p in plain for p in probes]
    grown = fast.copy()
    grown.append(SH.expression)
    grown.extend([SH.js])
    grown.insert(0, SH.targetClass)
    assert isinstance(grown, _Parameters)
    assert SH.expression in grown and SH.js in grown and SH.targetClass in grown
    assert SH.expression not in fast
    assert list(grown) == [SH.targetClass, *plain, SH.expression, SH.js]
