"""Operators, one module per concern."""

from . import avatar, body, fabric, variations

classes = (*avatar.classes, *fabric.classes, *variations.classes, *body.classes)
