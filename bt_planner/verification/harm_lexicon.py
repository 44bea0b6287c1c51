"""Built-in word lists of harm, per language, for the speech and command screen.

English entries are stems: the screen also matches their regular inflections (``kills``,
``killed``, ``killing``, ``killer``, ``stabbing``). Other languages list their common forms
explicitly (infinitive, imperative, present and past forms), because their inflection is too rich
for a suffix rule that would not also catch innocent words. Entries are written plainly; the
screen applies the same normalisation (NFKC, case-fold, diacritics removed) to them as to the text.

Deliberately absent: words with a common innocent kitchen or household meaning (``knife``,
``cut``, ``shot``, ``lástima``, ``schlagen`` as in whipping cream), which would refuse ordinary
tasks. Extend with ``safety.forbidden_words`` or plug in a classifier for anything subtler.
"""

from __future__ import annotations

EXTRA_ENGLISH_STEMS = (
    "murder",
    "shoot",
    "strangle",
    "assault",
    "injure",
    "maim",
    "torture",
    "slaughter",
    "bomb",
)

FORMS_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "es": (
        "matar", "mata", "mato", "matare", "matalo", "matala", "matarte", "mataré", "matando",
        "asesinar", "asesina", "asesinato", "apuñalar", "apuñala", "apuñalado", "envenenar", "envenena",
        "herir", "hiere", "herido", "lastimar", "atacar", "ataca", "ataque", "atacando", "destruir",
        "destruye", "destrozar", "arma", "armas", "golpear", "golpea", "quemar", "quema",
    ),
    "fr": (
        "tuer", "tue", "tuez", "tué", "tuerai", "tuant", "assassiner", "blesser", "blesse", "blessé",
        "poignarder", "poignarde", "empoisonner", "empoisonne", "attaquer", "attaque", "attaquez",
        "détruire", "détruis", "détruit", "frapper", "frappez", "arme", "armes", "brûler",
    ),
    "de": (
        "töten", "töte", "tötet", "getötet", "umbringen", "ermorden", "ermorde", "verletzen", "verletze",
        "verletzt", "angreifen", "angriff", "erstechen", "ersteche", "vergiften", "vergifte", "zerstören",
        "zerstöre", "zerstört", "waffe", "waffen", "verbrennen", "verbrenne",
    ),
    "it": (
        "uccidere", "uccidi", "uccido", "ucciso", "uccidero", "ucciderai", "ucciderti", "ammazzare", "ammazza", "ammazzo", "ferire", "ferisci",
        "pugnalare", "pugnala", "avvelenare", "avvelena", "attaccare", "attacca", "distruggere",
        "distruggi", "arma", "armi", "colpire", "colpisci", "bruciare", "brucia",
    ),
    "pt": (
        "matar", "mata", "matem", "matarei", "matando", "assassinar", "ferir", "fira", "machucar",
        "esfaquear", "esfaqueia", "envenenar", "envenena", "atacar", "ataca", "ataque", "destruir",
        "destrua", "arma", "armas", "queimar", "queima",
    ),
    "ru": (
        "убить", "убей", "убью", "убивать", "убиваю", "убийство", "ранить", "атаковать", "атакуй",
        "напасть", "отравить", "отрави", "уничтожить", "уничтожь", "ударить", "ударь", "оружие",
    ),
}  # fmt: skip
"""Explicit forms per ISO 639-1 language code (``safety.screen_languages`` selects which are used)."""
