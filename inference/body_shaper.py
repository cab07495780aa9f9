"""Slider values -> vertex positions for an avatar and everything bound to it (the slider hot path).

An avatar in the template topology takes the decoder's vertices directly. Any other mesh (a
foreign-topology avatar, a garment) is bound once to a *reference body* (template topology: the
rest template, or the body it was fitted on) and then follows by barycentric transfer:

    co = basis + transfer(body - reference)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import garment
from .binding import Binding, BindingError, DisplacementSmoother, check_avatar_frame, check_lines_up
from .body import SLIDERS, BodyModel, BodyResult
from .garment_clearance import Clearance
from .mesh import load_template, template_body_parts

__all__ = ["BodyShaper", "Follower", "Pose", "SLIDERS", "Binding", "DisplacementSmoother"]


@dataclass
class Follower:
    """A mesh that follows the body (the avatar itself or a garment): what a slider tick needs of it."""
    binding: Binding
    basis: np.ndarray  # its own rest positions
    reference: np.ndarray | None = None  # the body it was bound on (None: the rest template)
    smoother: DisplacementSmoother | None = None  # for garments that stand off the body
    frame: np.ndarray | None = None  # 4x4 its frame -> the avatar's (None: the same)
    clearance: Clearance | None = None  # a made-to-measure garment: pushed out where the body pokes through

    def rotation(self) -> np.ndarray | None:
        """3x3 taking displacements from the avatar's frame into its own."""
        return None if self.frame is None else np.linalg.inv(np.asarray(self.frame, np.float64)[:3, :3])


@dataclass
class Pose:
    body: np.ndarray  # (V, 3) template-topology vertices
    positions: list  # new (N_i, 3) positions, one per follower
    warnings: list  # what the plausibility checks changed about the request
    pokes: list | None = None  # per follower: body vertices still through it after clearance (None: not cleared)


class BodyShaper:
    def __init__(self, model: BodyModel, user_dir=None):
        self.model = model
        template = load_template("body", user_dir)
        self.rest = np.ascontiguousarray(template.co, np.float32)
        self.tris = model.measurer.tris
        self.user_dir = user_dir

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
             body: np.ndarray | None = None, clear: bool = False) -> Pose:
        """One slider tick in one call: the body for the slider values (or the given ``body``) and the
        new positions of the avatar and everything bound to it; with ``clear``, made-to-measure garments
        are also pushed out where the body pokes through (0.2-0.6 s each: after a drag, not during it)."""
        warnings = []
        if body is None:
            condition, warnings = self.condition(values, sex)
            body = self.decode(condition, style)
        positions = [self.deform(f.binding, f.basis, f.reference, body, f.rotation(), f.smoother)
                     for f in followers]
        pose = Pose(body, positions, list(warnings))
        return self.clear(pose, followers) if clear else pose

    def clear(self, pose: Pose, followers: list[Follower]) -> Pose:
        """``pose`` with every follower that has a ``clearance`` pushed out of ``pose.body`` (the rest as
        they are); ``pokes`` says, per follower, what is still through it (None: nothing to clear)."""
        todo = [k for k, f in enumerate(followers) if f.clearance is not None]
        positions, pokes = list(pose.positions), [None] * len(followers)
        if todo:
            cut = garment.body_cut(pose.body, self.user_dir, self.model.measurer)
            for k in todo:
                f = followers[k]
                frame = np.eye(4) if f.frame is None else np.asarray(f.frame, np.float64)
                in_body = positions[k] @ frame[:3, :3].T + frame[:3, 3]
                done = f.clearance.resolve(in_body, pose.body, cut)
                positions[k] = ((done.co - frame[:3, 3]) @ np.linalg.inv(frame[:3, :3]).T).astype(np.float32)
                pokes[k] = done.pokes
        return Pose(pose.body, positions, pose.warnings, pokes)

    def clearance(self, mesh, sleeve_cm: float, sleeve_faces: np.ndarray | None) -> Clearance:
        """What ``clear`` needs of a made-to-measure garment (``mesh``: its topology; built once per garment)."""
        return Clearance(mesh, sleeve_cm, sleeve_faces, self.tris, self.parts)

    @cached_property
    def parts(self) -> np.ndarray:
        """(V,) body part of each template vertex (``vocabulary.BODY_PARTS``)."""
        return template_body_parts(self.user_dir)

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
