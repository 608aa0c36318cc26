"""Access by membership: who may do what to which object, and why (plain Python, no Django).

A person holds memberships (a role, and the area or agency it applies to, between dates);
:func:`decide` answers whether they may do an action to an object with a
:class:`Decision` that says why in words. The web's policies, the CLI and background jobs
all ask it. Later packages register their own actions (:func:`register`).
"""

from dsvb.access.model import (
    AccessObject,
    AgencyRef,
    AreaRef,
    Decision,
    Membership,
    Principal,
    Resource,
)
from dsvb.access.permissions import ACTIONS, ActionSpec, by_role, decide, register
from dsvb.access.registry import Registry, UnknownName
from dsvb.access.roles import Role

__all__ = [
    "ACTIONS",
    "AccessObject",
    "ActionSpec",
    "AgencyRef",
    "AreaRef",
    "Decision",
    "Membership",
    "Principal",
    "Registry",
    "Resource",
    "Role",
    "UnknownName",
    "by_role",
    "decide",
    "register",
]
