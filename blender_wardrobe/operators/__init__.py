"""Operators, one module per concern."""

from . import avatar, body, fabric

classes = (*avatar.classes, *fabric.classes, *body.classes)
