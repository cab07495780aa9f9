"""ANSUR II subjects as targets in the project's measurement names and units (cm, kg)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inference.measure import ANSUR_HEIGHTS, MEASUREMENTS

FILES = {"female": "ANSUR_II_FEMALE_Public.csv", "male": "ANSUR_II_MALE_Public.csv"}
# Measurements anchored to ANSUR when fitting. Upper-arm girth (ANSUR: flexed biceps) and arm
# length (ANSUR: bony acromion to stylion, our mesh: deltoid surface via the elbow) are defined
# too differently to be matched; they are measured on the fitted bodies but not fitted.
FIT_NAMES = ("stature", "chest", "waist", "hips", "inseam", "shoulder", "neck", "thigh", "weight")
# Landmark heights (cm) the fitted bodies are put at, in inference.measure's landmark names.
HEIGHT_NAMES = tuple(ANSUR_HEIGHTS)


@dataclass
class Subjects:
    ids: np.ndarray  # (N,) int subject ids
    sex: np.ndarray  # (N,) 0 = female, 1 = male
    age: np.ndarray  # (N,) years
    targets: np.ndarray  # (N, len(FIT_NAMES)) cm / kg
    heights: np.ndarray  # (N, len(HEIGHT_NAMES)) cm above the floor

    def __len__(self) -> int:
        return len(self.ids)


def _value(row: dict, name: str) -> float:
    column = MEASUREMENTS[name][1]
    if name == "weight":
        return float(row["weightkg"]) / 10.0  # tenths of a kg
    return sum(float(row[c]) for c in column.split("+")) / 10.0  # mm -> cm


def load(data_root: Path) -> Subjects:
    ids, sex, age, targets, heights = [], [], [], [], []
    for s, (label, fname) in enumerate(FILES.items()):
        path = Path(data_root) / "bodies/ansur2" / fname
        with open(path, encoding="latin-1", newline="") as fh:
            for row in csv.DictReader(fh):
                row = {k.strip().lower(): v for k, v in row.items()}
                ids.append(int(row["subjectid"]))
                sex.append(s)
                age.append(float(row["age"]))
                targets.append([_value(row, n) for n in FIT_NAMES])
                heights.append([float(row[ANSUR_HEIGHTS[n]]) / 10.0 for n in HEIGHT_NAMES])
        del label
    return Subjects(np.array(ids), np.array(sex), np.array(age), np.array(targets), np.array(heights))


def split_of(ids: np.ndarray, seed: int = 0) -> np.ndarray:
    """Deterministic subject split: 0 = train (80 %), 1 = val (10 %), 2 = test (10 %)."""
    h = (np.asarray(ids, np.uint64) * np.uint64(2654435761) + np.uint64(seed)) % np.uint64(100)
    return np.where(h < 80, 0, np.where(h < 90, 1, 2))
