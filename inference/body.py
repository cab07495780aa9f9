"""Body engine: measurements (cm, kg) and a "body style" -> template-topology bodies, via the ONNX CVAE.

    model = BodyModel.load()
    res = model.body({"stature": 165, "chest": 88, "waist": 70, "hips": 96}, sex="female")
    res.vertices, res.achieved, res.warnings

Also: random plausible bodies, interpolation, encoding a template-topology body, and fitting a
scan of any topology (registration in the model's latent space).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import closest, onnx_model
from .errors import EngineError
from .measure import Measurer, TopologyError
from .mesh import MeshError, vertex_normals
from .vocabulary import BY_ID, SLIDERS

CARD = "body_model.json"
SEXES = {"female": 0.0, "male": 1.0}
UNUSUAL_MAHALANOBIS = 4.0  # beyond this a combination of measurements is warned about (and honoured)
HARD_MARGIN = 0.5  # requests beyond the plausible range by more than this fraction of it are refused
MAX_STEP_CM = 10.0  # the largest change of one condition value per refinement step (cm, kg)
EXACT_TOLERANCE_CM = 0.05  # "exact": every requested measurement within 0.5 mm (kg for weight)


class BodyInputError(EngineError, ValueError):
    """Requested measurements or a scan cannot be used; the message says why and what to do."""


@dataclass
class BodyResult:
    vertices: np.ndarray  # (V, 3) float32, metres, Z up, template topology
    condition: np.ndarray  # (7,) measurements used as the model's condition + sex
    style: np.ndarray  # (latent,)
    sex: str
    requested: dict[str, float] = field(default_factory=dict)
    achieved: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class ScanFit:
    result: BodyResult
    translation: np.ndarray  # (3,) body -> scan
    residual_mm: float  # mean distance from scan points to the fitted body surface
    p95_mm: float


def _sex_key(sex) -> str:
    key = str(sex).lower()
    if key in ("f", "0", "0.0"):
        key = "female"
    if key in ("m", "1", "1.0"):
        key = "male"
    if key not in SEXES:
        raise BodyInputError(f"unknown sex '{sex}': use female or male")
    return key


class BodyModel:
    def __init__(self, card: dict, folder, provider: str = "AUTO", threads: int = 0, user_dir=None):
        self.card = card
        self.folder = folder
        self.provider, self.threads = provider, threads
        try:
            self.latent = int(card["latent"])
            self.names = tuple(card["condition_names"])
            self.stats = {s: {k: np.asarray(v, np.float64) for k, v in d.items()}
                          for s, d in card["condition_stats"].items()}
            self.ranges = card["plausible_range"]
            card["files"]["decoder"]  # noqa: B018 (must exist)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise onnx_model.ModelError(f"{folder}/{CARD} is not a valid body model card ({type(exc).__name__}: "
                                        f"{exc}): reinstall the add-on or re-export the model with "
                                        "python -m models.body.release") from exc
        self.measurer = Measurer.from_template(user_dir)
        self._dec = self._enc = None

    @classmethod
    def load(cls, user_dir=None, provider: str = "AUTO", threads: int = 0) -> BodyModel:
        card, folder = onnx_model.load_card(CARD, user_dir)
        return cls(card, folder, provider, threads, user_dir)

    # -- sessions (created lazily, reused) ---------------------------------------------------
    @property
    def decoder(self):
        if self._dec is None:
            self._dec = onnx_model.open_session(self.folder, self.card["files"]["decoder"], self.provider, self.threads)
        return self._dec

    @property
    def encoder(self):
        if self._enc is None:
            self._enc = onnx_model.open_session(self.folder, self.card["files"]["encoder"], self.provider, self.threads)
        return self._enc

    @property
    def provider_used(self) -> str:
        return self.decoder.get_providers()[0]

    def decode(self, condition: np.ndarray, style: np.ndarray) -> np.ndarray:
        """(N, 7) conditions and (N, latent) styles -> (N, V, 3) vertices, each standing on z = 0. The
        slider hot path."""
        cond = np.ascontiguousarray(np.atleast_2d(condition), np.float32)
        sty = np.ascontiguousarray(np.atleast_2d(style), np.float32)
        out = self.decoder.run(None, {"condition": cond, "style": sty})[0]
        out[..., 2] -= out[..., 2].min(axis=-1, keepdims=True)  # feet on the ground: lowest point at z = 0
        return out

    # -- measurements -> condition -------------------------------------------------------------
    def hard_range(self, sex: str, name: str) -> tuple[float, float]:
        """Requests outside this are refused: the plausible range widened by ``HARD_MARGIN`` of itself."""
        lo, hi = self.ranges[_sex_key(sex)][name]
        pad = HARD_MARGIN * (hi - lo)
        return lo - pad, hi + pad

    def _checked(self, requested: dict[str, float], sex: str) -> tuple[dict[str, float], list[str]]:
        """The requested values as floats, with a warning for each outside the plausible range (honoured)."""
        unknown = set(requested) - set(SLIDERS)
        if unknown:
            raise BodyInputError(f"unknown measurement(s) {sorted(unknown)}: use {', '.join(SLIDERS)}")
        out, warnings = {}, []
        for name in SLIDERS:
            if requested.get(name) is None:
                continue
            v = float(requested[name])
            unit = BY_ID[name].unit
            if not np.isfinite(v):
                raise BodyInputError(f"{BY_ID[name].key} is not a number ({v}): give it in {unit}")
            lo, hi = self.ranges[sex][name]
            h_lo, h_hi = self.hard_range(sex, name)
            if not h_lo <= v <= h_hi:
                raise BodyInputError(f"{BY_ID[name].key} {v:g} {unit} is not a human {sex} measurement (the model "
                                     f"makes {h_lo:.0f}-{h_hi:.0f} {unit}): check the value and its unit")
            if not lo <= v <= hi:
                warnings.append(f"{BY_ID[name].key} {v:g} {unit} is outside the range of real {sex} bodies "
                                f"({lo:g}-{hi:g} {unit}): made as asked, check the body looks right")
            out[name] = v
        return out, warnings

    def expected(self, given: dict[str, float], sex: str) -> np.ndarray:
        """The population's conditional expectation of every slider measurement given some of them."""
        mean, cov = self.stats[_sex_key(sex)]["mean"], self.stats[_sex_key(sex)]["cov"]
        values = np.array(mean, np.float64)
        g = np.array([i for i, n in enumerate(SLIDERS) if n in given], int)
        if len(g):
            values[g] = [given[SLIDERS[i]] for i in g]
            m = np.array([i for i in range(len(SLIDERS)) if i not in g], int)
            if len(m):
                values[m] = mean[m] + cov[np.ix_(m, g)] @ np.linalg.solve(cov[np.ix_(g, g)], values[g] - mean[g])
        return values

    def complete(self, requested: dict[str, float], sex: str) -> tuple[np.ndarray, list[str]]:
        """The decoder's condition for any subset of slider measurements: given ones as asked, missing ones
        the population's conditional expectation. Unusual values and combinations are warned about."""
        sex = _sex_key(sex)
        given, warnings = self._checked(requested, sex)
        values = self.expected(given, sex)
        mean, cov = self.stats[sex]["mean"], self.stats[sex]["cov"]
        d = values - mean
        maha = float(np.sqrt(d @ np.linalg.solve(cov, d)))
        if maha > UNUSUAL_MAHALANOBIS and len(given) > 1:
            warnings.append(f"this combination of measurements is unusual for a {sex} body (Mahalanobis distance "
                            f"{maha:.1f} > {UNUSUAL_MAHALANOBIS:g}, e.g. waist vs hips): made as asked, check the "
                            "body looks right")
        return np.append(values, SEXES[sex]).astype(np.float32), warnings

    def follow(self, values: dict[str, float], sex: str, changed: str, previous: float, locked=()) -> dict[str, float]:
        """Slider semantics: ``changed`` moved from ``previous`` to ``values[changed]``. Every measurement that
        is neither it nor ``locked`` moves by the change of its conditional expectation given the changed and
        the locked ones (taller -> the typical weight and girths for that height), keeping the user's own
        deviation from typical. Returns all slider values: the changed and the locked ones as given."""
        sex = _sex_key(sex)
        if changed not in SLIDERS:
            raise BodyInputError(f"unknown measurement '{changed}': use {', '.join(SLIDERS)}")
        missing = [BY_ID[n].key for n in SLIDERS if values.get(n) is None]
        if missing:
            raise BodyInputError(f"every slider value is needed to follow a change; missing {', '.join(missing)}")
        full, _ = self._checked(values, sex)
        held = {n: full[n] for n in SLIDERS if n in set(locked) and n != changed}
        before = self.expected(held | {changed: float(previous)}, sex)
        after = self.expected(held | {changed: full[changed]}, sex)
        return {n: full[n] if (n == changed or n in held) else float(full[n] + after[i] - before[i])
                for i, n in enumerate(SLIDERS)}

    def measure(self, vertices: np.ndarray) -> dict[str, float]:
        return self.measurer.measure(vertices)

    def body(self, requested: dict[str, float], sex: str = "female", style=None, refine: bool = True,
             iterations: int = 6) -> BodyResult:
        """The body with these measurements (cm, kg) and style; ``refine`` meets them exactly.
        ``achieved`` holds the slider measurements of the result (``measure`` gives all of them)."""
        requested = {k: v for k, v in requested.items() if v is not None}
        cond, warnings = self.complete(requested, sex)
        style = self.style_latent(style)
        if refine and requested:
            targets = {n: float(cond[SLIDERS.index(n)]) for n in requested}
            cond, verts, values = self.refine(cond, style, targets, iterations)
            worst = max(abs(values[SLIDERS.index(n)] - t) for n, t in targets.items())
            if worst > 10 * EXACT_TOLERANCE_CM:
                warnings.append(f"the measurements could only be met within {worst * 10:.0f} mm: this body is beyond "
                                "what the model can make exactly")
        else:
            verts = self.decode(cond, style)[0]
            values = self.measurer.slider_values(verts)
        achieved = dict(zip(SLIDERS, map(float, values), strict=True))
        return BodyResult(verts, cond, style, _sex_key(sex), requested, achieved, warnings)

    def refine(self, cond: np.ndarray, style: np.ndarray, targets: dict[str, float], iterations: int = 4,
               step: float = 0.5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Gauss-Newton in measurement space: the condition whose body measures ``targets``.

        The Jacobian is read once, by a tape frozen on the first body (one batched decode of the probes,
        one vectorised pass); each step then costs one decode and one measurement. Damped least squares
        moves the conditions of measurements that are not targets as little as possible.
        Returns (condition, vertices, slider measurements of those vertices)."""
        idx = [SLIDERS.index(n) for n in targets]
        t = np.array(list(targets.values()), np.float64)
        cond = np.array(cond, np.float64)
        n_free = len(SLIDERS)
        probe = np.repeat(cond[None], n_free + 1, 0)
        probe[1:, :n_free] += np.eye(n_free) * step
        bodies = self.decode(probe, np.repeat(style[None], n_free + 1, 0))
        tape = self.measurer.slider_tape(bodies[0])
        jac = ((tape.read(bodies[1:]) - tape.values)[:, idx] / step).T  # (n_targets, n_free)
        lam = 1e-4 * np.trace(jac.T @ jac) / n_free
        verts, values = bodies[0], tape.values
        for _ in range(iterations):
            r = values[idx] - t
            if np.abs(r).max() < EXACT_TOLERANCE_CM:
                break
            step_x = -np.linalg.solve(jac.T @ jac + lam * np.eye(n_free), jac.T @ r)
            longest = np.abs(step_x).max()
            if not np.isfinite(longest):
                break
            step_x *= min(1.0, MAX_STEP_CM / max(longest, 1e-12))  # a trust region: the decoder is smooth, not linear
            trial = cond.copy()
            trial[:n_free] += step_x
            new_verts = self.decode(trial.astype(np.float32), style)[0]
            if not np.isfinite(new_verts).all():  # far outside what the network was trained on: damp harder
                lam *= 10.0
                continue
            new_values = self.measurer.slider_values(new_verts)
            # Broyden: the tape misses landmarks that move to another vertex; the step's real change corrects it.
            jac += np.outer(new_values[idx] - values[idx] - jac @ step_x, step_x) / (step_x @ step_x)
            if np.abs(new_values[idx] - t).max() < np.abs(r).max():  # keep only steps that get closer
                cond, verts, values = trial, new_verts, new_values
        return cond.astype(np.float32), verts, values

    def style_latent(self, style) -> np.ndarray:
        """A body-style request as the decoder's latent: padded to its size, checked finite."""
        if style is None:
            return np.zeros(self.latent, np.float32)
        s = np.asarray(style, np.float32).ravel()
        if s.size > self.latent:
            raise BodyInputError(f"style has {s.size} values, this model has {self.latent}")
        s = np.pad(s, (0, self.latent - s.size))
        if not np.isfinite(s).all():
            raise BodyInputError("style contains non-finite values")
        return np.clip(s, -3.0, 3.0)

    # -- sampling, interpolation, encoding --------------------------------------------------------
    def random(self, n: int, sex: str = "female", seed: int = 0, refine: bool = False) -> list[BodyResult]:
        """Plausible random bodies: measurements from the per-sex data distribution, style from the prior."""
        sex = _sex_key(sex)
        rng = np.random.default_rng(seed)
        mean, cov = self.stats[sex]["mean"], self.stats[sex]["cov"]
        out = []
        for _ in range(n):
            d = rng.multivariate_normal(np.zeros(len(mean)), cov)
            d *= min(1.0, 2.5 / max(np.sqrt(d @ np.linalg.solve(cov, d)), 1e-9))  # stay in the bulk
            cond = np.append(mean + d, SEXES[sex]).astype(np.float32)
            style = np.clip(rng.standard_normal(self.latent), -2.5, 2.5).astype(np.float32)
            verts = self.decode(cond, style)[0]
            req = dict(zip(SLIDERS, map(float, cond[:-1]), strict=True))
            out.append(BodyResult(verts, cond, style, sex, req, self.measure(verts) if refine else {}))
        return out

    def interpolate(self, a: BodyResult, b: BodyResult, t: float) -> np.ndarray:
        """Vertices part-way between two bodies, interpolated in the model's (condition, style) space."""
        cond = (1 - t) * a.condition + t * b.condition
        style = (1 - t) * a.style + t * b.style
        return self.decode(cond, style)[0]

    def encode(self, vertices: np.ndarray, sex: str = "female") -> BodyResult:
        """Condition and style of an existing template-topology body."""
        verts = self.measurer.check(vertices).astype(np.float32)
        m = self.measure(verts)
        cond = np.array([m[n] for n in SLIDERS] + [SEXES[_sex_key(sex)]], np.float32)
        mu, _ = self.encoder.run(None, {"vertices": verts[None], "condition": cond[None]})
        return BodyResult(verts, cond, mu[0], _sex_key(sex), {}, m)

    # -- scans ----------------------------------------------------------------------------------
    def fit_scan(self, points: np.ndarray, sex: str | None = None, iterations: int = 10,
                 max_points: int = 2500) -> ScanFit:
        """Register a scan (points of any mesh topology, metres, Z up, A-pose) in latent space."""
        pts = np.asarray(points, np.float64)
        if pts.ndim != 2 or pts.shape[1] != 3 or len(pts) < 100:
            raise BodyInputError(f"the scan has {len(pts) if pts.ndim == 2 else 0} points: a body scan needs "
                                 "at least 100 vertices")
        if not np.isfinite(pts).all():
            raise BodyInputError("the scan contains NaN/inf coordinates: clean the mesh first")
        height = np.ptp(pts[:, 2])
        lo, hi = self.ranges["female"]["stature"][0], self.ranges["male"]["stature"][1]
        if not lo / 100 * 0.9 <= height <= hi / 100 * 1.1:
            raise BodyInputError(f"the scan is {height:.2f} m tall: expected a standing adult "
                                 f"({lo / 100:.2f}-{hi / 100:.2f} m) in metres with Z up")
        sub = pts[np.linspace(0, len(pts) - 1, min(max_points, len(pts))).astype(int)]
        if sex:
            cond, style, trans, _, s = self._fit_scan_sex(sub, _sex_key(sex), height, iterations)
        else:  # a short fit per sex picks the sex; only the better one is refined to convergence
            trials = [self._fit_scan_sex(sub, s, height, 3) for s in SEXES]
            best = min(trials, key=lambda f: f[3])
            cond, style, trans, _, s = self._fit_scan_sex(sub, best[4], height, iterations - 3, start=best)
        verts = self.decode(cond, style)[0]
        check = sub[:: max(1, len(sub) // 1000)]  # residual on up to ~1000 of the fitted points
        _, _, dist = closest.closest_points(check - trans, verts, self.measurer.tris)
        res_mm, p95 = float(dist.mean() * 1000), float(np.percentile(dist, 95) * 1000)
        if res_mm > 40:
            raise BodyInputError(f"the scan is far from any body the model can make (mean distance {res_mm:.0f} mm): "
                                 "expected a standing human in A-pose, metres, Z up, facing -Y")
        req = dict(zip(SLIDERS, map(float, cond[:-1]), strict=True))
        result = BodyResult(verts, cond, style, s, req, self.measure(verts))
        return ScanFit(result, trans, res_mm, p95)

    def _fit_scan_sex(self, pts, sex, height, iterations, start=None):
        """Gauss-Newton over (condition, style, translation) with point-to-plane scan->body residuals
        and point-to-point body->scan residuals, Levenberg-Marquardt damped. ``start``: a previous result."""
        if start is None:
            cond, _ = self.complete({"stature": height * 100}, sex)
            style, trans = np.zeros(self.latent), None
        else:
            cond, style, trans = start[0], start[1], start[2]
        cond, style = cond.astype(np.float64), style.astype(np.float64)
        body_idx = np.linspace(0, self.measurer.n_vertices - 1, 3000).astype(int)
        n_c, n_x = len(SLIDERS), len(SLIDERS) + self.latent
        h = np.concatenate([np.full(n_c, 0.5), np.full(self.latent, 0.1)])
        for it in range(iterations):
            x = np.concatenate([cond[:n_c], style])
            probes = np.repeat(x[None], n_x + 1, 0)
            probes[1:] += np.diag(h)
            conds = np.concatenate([probes[:, :n_c], np.full((len(probes), 1), cond[-1])], 1)
            full = self.decode(conds, probes[:, n_c:]).astype(np.float64)
            normals = vertex_normals(full[0], self.measurer.tris)[body_idx]
            bodies = full[:, body_idx]
            base = bodies[0]
            if trans is None:  # align feet and the body's centre before the first correspondences
                trans = np.array([*(pts[:, :2].mean(0) - base[:, :2].mean(0)), pts[:, 2].min() - base[:, 2].min()])
            q = pts - trans
            fwd = closest.nearest_vertices(q, base)[:, 0]  # scan -> body (point to plane)
            bwd = closest.nearest_vertices(base, q)[:, 0]  # body -> scan (point to point)
            n_f = normals[fwd]
            d_b = (bodies[1:] - base) / h[:, None, None]  # (X, B, 3) d vertices / d x
            r_f = ((q - base[fwd]) * n_f).sum(1)
            j_f = np.concatenate([np.einsum("xbc,bc->bx", d_b[:, fwd], n_f), n_f], 1)
            r_b = (q[bwd] - base).ravel()
            j_b = np.concatenate([d_b.reshape(n_x, -1).T, np.tile(np.eye(3), (len(base), 1))], 1)
            w_b = 0.3  # the reverse term keeps the body from shrinking inside the scan
            r = np.concatenate([r_f, w_b * r_b])
            jac = np.concatenate([j_f, w_b * j_b])
            jtj = jac.T @ jac
            prior = np.concatenate([np.zeros(n_c), np.full(self.latent, 1e-3 * np.trace(jtj) / n_x), np.zeros(3)])
            lhs = jtj + 1e-3 * np.diag(np.diag(jtj)) + np.diag(prior)
            delta = np.linalg.solve(lhs, jac.T @ r - prior * np.concatenate([np.zeros(n_c), style, np.zeros(3)]))
            cond[:n_c] += delta[:n_c]
            style = np.clip(style + delta[n_c:n_x], -3, 3)
            trans = trans + delta[-3:]
            if np.abs(delta[:n_c]).max() < 0.05 and np.abs(delta[n_c:n_x]).max() < 0.01 and it > 2:
                break
        cond32 = cond.astype(np.float32)
        verts = self.decode(cond32, style.astype(np.float32))[0][body_idx]
        err = np.linalg.norm(pts - trans - verts[closest.nearest_vertices(pts - trans, verts)[:, 0]], axis=1).mean()
        return cond32, style.astype(np.float32), trans, float(err), sex


__all__ = ["BodyModel", "BodyResult", "ScanFit", "BodyInputError", "TopologyError", "MeshError", "SLIDERS"]
