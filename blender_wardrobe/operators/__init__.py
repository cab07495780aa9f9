"""Operators, one module per concern."""

from . import avatar

classes = (*avatar.classes,)
