"""Operators, one module per concern."""

from . import avatar, body_shape, drape, garments, generate_fabric, variations

classes = (*avatar.classes, *generate_fabric.classes, *variations.classes, *body_shape.classes, *garments.classes,
           *drape.classes)
