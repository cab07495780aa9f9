"""Operators, one module per concern."""

from . import avatar, body_shape, generate_fabric, variations

classes = (*avatar.classes, *generate_fabric.classes, *variations.classes, *body_shape.classes)
