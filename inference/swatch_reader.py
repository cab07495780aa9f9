"""Swatch photo -> the fabric request it stands for, with how sure each part is (a posterior: mean, spread).

    reading = read_photo(rgb, width_cm=None, roughness=None)
    reading.request()            # kind, colour, draft, warp/weft sequences, densities, roughness, px/thread
    reading.sample(rng)          # one draw from the posterior (variations)

Every parameter is measured, none learned from the ten real sets: thread spacing from the spectrum,
draft from thread-lag autocorrelation (inference/swatch_structure.py), yarn palette and colour
sequences by clustering (inference/swatch_palette.py), roughness from the roughness map when given.
Photos with no periodic structure are read as the nearest non-woven kind (leather or pile) and the
reading says so in ``notes``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from . import color as colour
from .fabric_kinds import CORD_WALE_THREADS, PRESETS
from .fabric_structure import DEFAULT_PX_PER_THREAD, MIN_PX_PER_THREAD
from .swatch_detail import DetailStats, detail_stats
from .swatch_fit import photo_crops
from .swatch_palette import colour_sequences, yarn_palette
from .swatch_photo import prepare
from .swatch_structure import SOME_PERIOD, log_lum, match_draft, match_satin, orientation, spectrum, thread_periods
from .weave_draft import DRAFTS, Draft
from .yarn_colors import ColorSequence

# Draft families the reader tells apart; each read family is made as one fabric kind.
FAMILY_OF_DRAFT = {"plain": "plain", "basket": "basket", "oxford": "basket", "twill_2_1": "twill", "twill_3_1": "twill",
                   "twill_2_2": "twill", "broken_twill": "twill", "herringbone": "twill", "satin_5": "satin",
                   "satin_8": "satin"}
FAMILIES = ("plain", "basket", "twill", "satin", "knit", "cord", "pile", "leather")
KIND_OF_DRAFT = {"plain": "cotton", "basket": "basket", "oxford": "cotton", "twill_2_1": "twill", "twill_3_1": "twill",
                 "twill_2_2": "twill", "broken_twill": "twill", "herringbone": "herringbone", "satin_5": "satin",
                 "satin_8": "silk"}
KIND_OF_FAMILY = {"knit": "jersey", "pile": "velvet", "leather": "leather", "cord": "corduroy"}
CORD = 30.0  # spectral energy along one axis over the other above which the photo is a cord (wales)
WEAK_MATCH = 0.3  # a draft matched worse than this is read as the commonest weave, plain
SATIN_CONTRAST = 0.05  # std of log luminance of a woven photo below which it is a satin (floats, no shadows)
PILE_CONTRAST = 0.2  # std of log luminance: deep fibre shadows (pile, felt) above, smooth grain (leather) below
TPC_RANGE = (2.0, 80.0)


@dataclass(frozen=True)
class SwatchReading:
    kind: str
    family: str  # one of FAMILIES
    draft: str | None  # the matched named draft (woven)
    draft_rows: str | None  # the draft as rows of '#'/'.', oriented as in the photo
    color: tuple[float, float, float]  # sRGB main yarn colour
    palette: tuple  # sRGB yarn colours, largest share first
    shares: tuple  # their share of the photo
    mean_color: tuple[float, float, float]  # sRGB mean colour of the photo (linear-light mean)
    warp: str  # colour sequence text (inference.yarn_colors)
    weft: str
    threads_per_cm: float
    picks_per_cm: float
    px_per_thread: float  # ends' spacing in analysis pixels (variations are made at the photo's scale)
    px_per_pick: float
    roughness: float
    periodicity: float  # spectral peak / background (>= 12 woven, < 3 none)
    draft_score: float
    draft_scores: dict
    sigma: dict  # posterior spread: relative for densities, CIE Lab units for colour, absolute roughness
    scale: int  # photo pixels per analysis pixel
    notes: tuple[str, ...]
    roughness_measured: bool = False  # from the photo's roughness map (else the kind's typical value)
    unsure: bool = False  # the structure was guessed (no periodicity, a weak draft match or a weak loop pattern)
    detail: DetailStats | None = None  # the photo's band statistics (variations are fitted to them)
    crops: tuple = ()  # a few small crops of the evened photo (inference/swatch_fit.py compares renders to them)
    fit: dict | None = None  # candidate -> texture distance, when the reading was refined

    @property
    def fibre_px(self) -> float:
        """Detail finer than half a thread is fibre, not structure (0 for leather: its grain is the structure)."""
        return 0.0 if self.family == "leather" else 0.5 * min(self.px_per_thread, self.px_per_pick)

    def request(self) -> dict:
        """Keyword arguments for FabricModel.generate (size and seed apart)."""
        return {"kind": self.kind, "color": self.color, "threads_per_cm": self.threads_per_cm,
                "picks_per_cm": self.picks_per_cm, "roughness": self.roughness, "draft": self.draft_rows,
                "warp": self.warp, "weft": self.weft, "px_per_thread": self.px_per_thread}

    def sample(self, rng: np.random.Generator) -> SwatchReading:
        """One draw from the posterior: densities, colours and roughness jittered by their spread."""
        s = self.sigma
        k = float(np.exp(rng.normal(0, s["density"])))
        shift = rng.normal(0, s["lab"], 3)

        def turn(rgb):
            return tuple(float(v) for v in np.clip(colour.lab_to_srgb(colour.srgb_to_lab(np.array(rgb)) + shift),
                                                   0, 1))

        def turn_seq(text):
            seq = ColorSequence.parse(text)
            return ColorSequence(tuple((turn(c), w) for c, w in seq.steps)).text()

        return replace(self, color=turn(self.color), warp=turn_seq(self.warp), weft=turn_seq(self.weft),
                       threads_per_cm=float(np.clip(self.threads_per_cm * k, *TPC_RANGE)),
                       picks_per_cm=float(np.clip(self.picks_per_cm * k, *TPC_RANGE)),
                       px_per_thread=max(MIN_PX_PER_THREAD, self.px_per_thread / k),
                       px_per_pick=max(MIN_PX_PER_THREAD, self.px_per_pick / k),
                       roughness=float(np.clip(self.roughness + rng.normal(0, s["roughness"]), 0, 1)))


def read_photo(image, width_cm: float | None = None, roughness=None) -> SwatchReading:
    """Read a swatch photo (H, W, 3|4 sRGB pixels). ``width_cm``: its physical width, if known (thread counts
    per cm then follow from it; otherwise the kind's typical density is assumed). ``roughness``: its
    roughness map, if there is one. Raises SwatchError naming the problem."""
    photo = prepare(image, width_cm, roughness)
    pal = yarn_palette(photo.linear)
    lum = photo.square(photo.lum)
    if len(pal.srgb) > 1:  # threads, not colour stripes: each pixel's shading relative to its yarn colour
        yarn_lum = colour.srgb_to_linear(pal.srgb) @ colour.LUMA
        lum = lum / yarn_lum[photo.square(pal.labels)].astype(np.float32)
    d = log_lum(lum)
    periods = thread_periods(spectrum(d))
    notes = []
    if photo.scale > 1:
        notes.append(f"photo downsampled {photo.scale}x for reading")
    if photo.shading > 1.15:
        notes.append(f"uneven lighting evened out ({photo.shading:.2f}x across the photo)")
    draft = match = None
    scores = {}
    peak = max(periods.peak_x, periods.peak_y)
    px_x, px_y = periods.x, periods.y
    if periods.periodic and max(periods.across, 1 / periods.across) >= CORD:  # ridges one way only: wales
        family, kind = "cord", KIND_OF_FAMILY["cord"]
        wale = periods.x if periods.across >= 1 else periods.y
        px_x = px_y = wale / CORD_WALE_THREADS
        if periods.across < 1:
            notes.append("the wales run across the photo: the fabric is made with them along the warp (turn the "
                         "photo, or the UVs, by 90 degrees)")
    elif periods.periodic:
        power = spectrum(orientation(d))
        best = match_draft(power, periods)
        scores = best.scores
        draft = best.draft if best.score >= WEAK_MATCH else "plain"
        satin = match_satin(power, periods) if float(d.std()) < SATIN_CONTRAST else None
        if satin is not None:  # floats hide the interlacings: too smooth a face for any other weave
            best, draft = satin, satin.draft
            notes.append(f"smooth weave face (log-luminance std {float(d.std()):.3f}): read as a satin")
        elif draft != best.draft:
            notes.append(f"weave draft unclear (best match {best.draft} at {best.score:.2f}): read as plain")
        if draft == best.draft:  # the spacing it matched at (else the spectrum's)
            match = best.per_draft[draft]
            px_x, px_y = match.px_x, match.px_y
        family, kind = FAMILY_OF_DRAFT[draft], KIND_OF_DRAFT[draft]
    elif peak >= SOME_PERIOD:
        family, kind = "knit", KIND_OF_FAMILY["knit"]
        px_x, px_y = periods.loop_x, periods.loop_y
        notes.append("weak, coarse periodic structure: read as a knit")
    else:
        family = "pile" if float(d.std()) > PILE_CONTRAST else "leather"
        kind = KIND_OF_FAMILY[family]
        notes.append(f"no periodic thread structure found: read as the nearest non-woven kind, {kind}")
    preset = PRESETS[kind]
    if photo.width_cm is not None and family not in ("pile", "leather"):
        tpc = float(np.clip(photo.width_px / px_x / photo.width_cm, *TPC_RANGE))
    else:
        tpc = preset.threads_per_cm
        if family not in ("pile", "leather"):
            notes.append(f"photo size unknown: {tpc:g} threads per cm (typical {kind}) assumed; give the photo's "
                         "width in cm for a measured count")
    ppc = float(np.clip(tpc * px_x / px_y, *TPC_RANGE)) if family not in ("pile", "leather") else tpc
    if len(pal.srgb) == 1:
        main = tuple(float(v) for v in pal.mean_srgb)
        warp = weft = ColorSequence.solid(main).text()
    else:
        main = tuple(float(v) for v in pal.srgb[0])
        w, f = colour_sequences(pal, px_x, px_y, tpc, ppc)
        warp = ColorSequence(w).text() if w else ColorSequence.solid(main).text()
        weft = ColorSequence(f).text() if f else ColorSequence.solid(main).text()
    rough = float(np.clip(photo.roughness.mean(), 0, 1)) if photo.roughness is not None else preset.roughness
    if photo.roughness is None:
        notes.append(f"no roughness map: {rough:g} (typical {kind}) assumed")
    sure = match is not None
    sigma = {"density": 0.02 if sure else 0.08, "lab": 1.0,
             "roughness": 0.02 if photo.roughness is not None else 0.08}
    if family in ("pile", "leather"):  # no threads: grain and pile crush at the renderer's own scale
        px_x = px_y = DEFAULT_PX_PER_THREAD
    rows = None
    if draft is not None:
        rows = Draft(match.up).text() if match is not None else DRAFTS[draft].text()
    return SwatchReading(
        kind=kind, family=family, draft=draft, draft_rows=rows,
        color=main, palette=tuple(tuple(float(v) for v in c) for c in pal.srgb),
        shares=tuple(float(s) for s in pal.shares), mean_color=tuple(float(v) for v in pal.mean_srgb),
        warp=warp, weft=weft, threads_per_cm=tpc, picks_per_cm=ppc, px_per_thread=float(px_x),
        px_per_pick=float(px_y), roughness=rough, periodicity=float(peak),
        draft_score=float(match.score) if match else 0.0, draft_scores=dict(scores),
        sigma=sigma, scale=photo.scale, notes=tuple(notes), roughness_measured=photo.roughness is not None,
        unsure=family in ("knit", "pile", "leather") or (draft is not None and match is None),
        detail=detail_stats(photo.square(photo.lum)),
        crops=tuple(photo_crops(photo.rgb)))
