"""Synthetic job-ad sentences from catalogue labels: a label (or two) inside a sentence template.

They teach the ranker that a skill mention sits inside a longer sentence (Dutch has no labelled
sentences otherwise) and give a held-out set to calibrate the ad-mode threshold. Featurised with the
inserted labels' own rows masked, so the ranker must find the skill through its other labels.
"""

from __future__ import annotations

import numpy as np

from overstap_extractor.model.catalog import KIND_ALT, KIND_PREFERRED, SkillCatalog
from overstap_extractor.model.datasets import Example
from overstap_extractor.model.text import LANGUAGES

TEMPLATES = {
    "en": [
        "You have experience with {a}.", "Knowledge of {a} is a plus.", "Experience in {a} and {b} is required.",
        "We are looking for someone who can {a}.", "You are familiar with {a}.", "{a}", "{a} and {b}",
        "Proven skills in {a}, ideally also {b}.", "Your tasks: {a} and {b}.", "Strong background in {a}.",
    ],
    "nl": [
        "Je hebt ervaring met {a}.", "Kennis van {a} is een pluspunt.", "Ervaring met {a} en {b} is vereist.",
        "Wij zoeken iemand die kan {a}.", "Je bent vertrouwd met {a}.", "{a}", "{a} en {b}",
        "Je beschikt over kennis van {a}, bij voorkeur ook {b}.", "Jouw taken: {a} en {b}.",
        "Je hebt een sterke achtergrond in {a}.", "Je staat in voor {a}.", "Je bent bekwaam in {a}.",
    ],
}
NO_SKILL = {
    "en": [
        "We offer a competitive salary and a company car.", "Apply now!", "Location: Brussels",
        "Full-time position, permanent contract.", "Join our friendly team in a growing company.",
        "Send your CV and motivation letter to our HR department.", "About us", "What we offer:",
    ],
    "nl": [
        "Wij bieden een competitief loon en een bedrijfswagen.", "Solliciteer nu!", "Locatie: Gent",
        "Voltijdse functie met een contract van onbepaalde duur.", "Je komt terecht in een fijn team.",
        "Stuur je cv en motivatiebrief naar onze HR-afdeling.", "Over ons", "Wat bieden wij?",
        "Je krijgt maaltijdcheques en ecocheques.", "Interesse? Neem contact op met ons kantoor.",
    ],
}


def _label_pool(catalog: SkillCatalog, language: str) -> tuple[list[str], np.ndarray]:
    li = LANGUAGES.index(language)
    rows = np.flatnonzero((catalog.labels.language == li) & np.isin(catalog.labels.kind, (KIND_ALT, KIND_PREFERRED)))
    return [catalog.labels.text[r] for r in rows], catalog.labels.skill[rows]


def synthetic_sentences(catalog: SkillCatalog, language: str, n: int, rng: np.random.Generator,
                        no_skill_share: float = 0.05) -> list[Example]:
    """``n`` sentences (a small share without skills); gold = every skill carrying an inserted label."""
    texts, skills = _label_pool(catalog, language)
    if not texts:
        return []
    by_text: dict[str, set[int]] = {}
    for t, s in zip(texts, skills, strict=True):
        by_text.setdefault(t, set()).add(int(s))
    templates, empty = TEMPLATES[language], NO_SKILL[language]
    out = []
    for _ in range(n):
        if rng.random() < no_skill_share:
            out.append(Example(empty[rng.integers(len(empty))], language, (), f"synthetic-{language}"))
            continue
        a, b = (texts[i] for i in rng.integers(0, len(texts), 2))
        template = templates[rng.integers(len(templates))]
        used = (a, b) if "{b}" in template else (a,)
        gold = tuple(sorted(set().union(*(by_text[u] for u in used))))
        out.append(Example(template.format(a=a, b=b), language, gold, f"synthetic-{language}", used))
    return out
