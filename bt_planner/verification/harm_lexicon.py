"""Built-in word lists of harm, per language, for the speech and command screen.

English entries are stems: the screen also matches their regular inflections (``kills``,
``killed``, ``killing``, ``killer``, ``stabbing``). Other languages list their common forms
explicitly (infinitive, imperative, present and past forms), because their inflection is too rich
for a suffix rule that would not also catch innocent words. Entries are written plainly; the
screen applies the same normalisation (NFKC, case-fold, diacritics removed) to them as to the text.

Short forms whose accent-free spelling is also a common word elsewhere are listed only inside
a phrase that disambiguates them: French ``tue`` (English "Tue") as ``je te tue``/``tue-le``,
Spanish and Portuguese ``mata``/``mato`` (Mata Hari, Mato Grosso, Portuguese "forest") as
``te mato``/``mata a``. German umlauts are matched as written or transliterated (``töte``,
``toete``), never as the bare vowel, because ``tote`` is an English word.

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
        "matar", "te mato", "lo mato", "la mato", "los mato", "mata a", "mata al", "te mata", "matare", "matalo", "matala", "matarte", "mataré", "matando",
        "asesinar", "asesina", "asesinato", "apuñalar", "apuñala", "apuñalado", "envenenar", "envenena",
        "herir", "hiere", "herido", "lastimar", "atacar", "ataca", "ataque", "atacando", "destruir",
        "destruye", "destrozar", "arma", "armas", "golpear", "golpea", "quemar", "quema",
    ),
    "fr": (
        "tuer", "te tue", "le tue", "la tue", "les tue", "vous tue", "je tue", "tue-le", "tue-la", "tuez",
        "ai tué", "a tué", "tuerai", "tuant", "assassiner", "blesser", "blesse", "blessé",
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
        "matar", "te mato", "mata o", "mata a", "matem", "matarei", "matando", "assassinar", "ferir",
        "machucar",
        "esfaquear", "esfaqueia", "envenenar", "envenena", "atacar", "ataca", "ataque", "destruir",
        "destrua", "arma", "armas", "queimar", "queima",
    ),
    "ru": (
        "убить", "убей", "убью", "убивать", "убиваю", "убийство", "ранить", "атаковать", "атакуй",
        "напасть", "отравить", "отрави", "уничтожить", "уничтожь", "ударить", "ударь", "оружие",
    ),
}  # fmt: skip
"""Explicit forms per ISO 639-1 language code (``safety.screen_languages`` selects which are used)."""

HARMLESS_PHRASES = (
    "kill switch",
    "circuit breaker",
    "ice breaker",
    "icebreaker",
    "coffee break",
    "lunch break",
    "tea break",
    "take a break",
    "break room",
    "gas burner",
    "front burner",
    "back burner",
    "fruit punch",
    "hole punch",
    "photo shoot",
    "shooting star",
    "kick off",
    "smash hit",
)
"""English compounds in which a harm word has lost its violent meaning; blanked before matching.

Each is matched as written (case-insensitive, plural and verb endings allowed, a space or hyphen
between the words), never disguised: ``k.i.l.l switch`` is still refused. A threat that happens to
contain one of them keeps any other harm word it uses.
"""
