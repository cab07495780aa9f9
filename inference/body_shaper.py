"""Slider values -> vertex positions for an avatar and everything bound to it (the slider hot path).

An avatar in the template topology takes the decoder's vertices directly. Any other mesh (a
foreign-topology avatar, a garment) is bound once to a *reference body* (template topology: the
rest template, or the body it was fitted on) and then follows by barycentric transfer:

    co = basis + transfer(body - reference)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .binding import Binding, BindingError, DisplacementSmoother, check_avatar_frame, check_lines_up
from .body import SLIDERS, BodyModel, BodyResult
from .mesh import load_template

__all__ = ["BodyShaper", "Follower", "Pose", "SLIDERS", "Binding", "DisplacementSmoother"]


@dataclass
class Follower:
    """A mesh that follows the body (the avatar itself or a garment): what a slider tick needs of it."""
    binding: Binding
    basis: np.ndarray  # its own rest positions
    reference: np.ndarray | None = None  # the body it was bound on (None: the rest template)
    smoother: DisplacementSmoother | None = None  # for garments that stand off the body
    rotation: np.ndarray | None = None  # 3x3 avatar frame -> its frame (None: the same)


@dataclass
class Pose:
    body: np.ndarray  # (V, 3) template-topology vertices
    positions: list  # new (N_i, 3) positions, one per follower
    warnings: list  # what the plausibility checks changed about the request


class BodyShaper:
    def __init__(self, model: BodyModel, user_dir=None):
        self.model = model
        template = load_template("body", user_dir)
        self.rest = np.ascontiguousarray(template.co, np.float32)
        self.tris = model.measurer.tris

    @classmethod
    def load(cls, user_dir=None, provider: str = "AUTO", threads: int = 0) -> BodyShaper:
        return cls(BodyModel.load(user_dir, provider, threads), user_dir)

    @property
    def latent(self) -> int:
        return self.model.latent

    def mean_values(self, sex: str) -> dict[str, float]:
        cond, _ = self.model.complete({}, sex)
        return dict(zip(SLIDERS, map(float, cond[:-1]), strict=True))

    def condition(self, values: dict[str, float], sex: str) -> tuple[np.ndarray, list[str]]:
        """The decoder's condition for slider values, with warnings for unusual values (honoured)."""
        return self.model.complete(values, sex)

    def follow(self, values: dict[str, float], sex: str, moved: str, previous: float, locked=()) -> dict[str, float]:
        """All slider values after the user moved one (see ``BodyModel.follow``)."""
        return self.model.follow(values, sex, moved, previous, locked)

    def decode(self, condition: np.ndarray, style) -> np.ndarray:
        """(V, 3) float32 template-topology vertices. ~1 ms: called on every slider tick."""
        return self.model.decode(condition, self.model.style_latent(style))[0]

    def exact(self, values: dict[str, float], sex: str, style) -> BodyResult:
        """The body that measures exactly what the sliders say (Gauss-Newton refinement, ~40 ms)."""
        return self.model.body(values, sex, style, refine=True)

    def random(self, sex: str, seed: int) -> BodyResult:
        return self.model.random(1, sex, seed)[0]

    def bind(self, co: np.ndarray, reference: np.ndarray | None = None, progress=None) -> Binding:
        """Bind a mesh (vertices in the avatar's frame) to a reference body (default: the rest template).
        ``progress(fraction)`` is called as it goes and may raise to cancel."""
        ref = self.rest if reference is None else np.asarray(reference, np.float32)
        return Binding.compute(co, ref, self.tris, progress)

    def bind_avatar(self, co: np.ndarray, progress=None, name: str = "the mesh") -> Binding:
        """Bind a body mesh of any topology as an avatar, refusing one in other units, orientation or place."""
        check_avatar_frame(co, self.rest, name)
        b = self.bind(co, None, progress)
        if not b.identity:
            check_lines_up(b, name)
        return b

    def pose(self, values: dict[str, float], sex: str, style, followers: list[Follower],
             body: np.ndarray | None = None) -> Pose:
        """One slider tick in one call: the body for the slider values (or the given ``body``) and the
        new positions of the avatar and everything bound to it."""
        warnings = []
        if body is None:
            condition, warnings = self.condition(values, sex)
            body = self.decode(condition, style)
        positions = [self.deform(f.binding, f.basis, f.reference, body, f.rotation, f.smoother) for f in followers]
        return Pose(body, positions, list(warnings))

    def deform(self, binding: Binding, basis: np.ndarray, reference: np.ndarray | None, body: np.ndarray,
               rotation: np.ndarray | None = None, smoother: DisplacementSmoother | None = None) -> np.ndarray:
        """New vertex positions of a bound mesh for ``body``; ``rotation`` (3x3) takes displacements from the
        avatar's frame into the mesh's own (a garment with its own transform)."""
        ref = self.rest if reference is None else reference
        if binding.n_vertices != len(basis):
            raise BindingError(f"the binding is for {binding.n_vertices} vertices but the mesh has {len(basis)}: "
                               "the mesh was edited since it was bound; bind it again")
        delta = binding.transfer(body - ref)
        if smoother is not None:
            delta = smoother.apply(delta)
        if rotation is not None:
            delta = delta @ np.asarray(rotation, np.float32).T
        return basis + delta
