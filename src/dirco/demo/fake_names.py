"""Believable names for the demo company: people, customer companies, partners and web domains.

Everything is drawn from a ``random.Random`` passed in, so a seed gives the same names.
"""

from __future__ import annotations

import random
import re
import unicodedata

FIRST_NAMES = [
    "Julien", "Camille", "Nicolas", "Sophie", "Thomas", "Marie", "Antoine", "Claire",
    "Mathieu", "Julie", "Pierre", "Laure", "Guillaume", "Émilie", "Alexandre", "Céline",
    "Sébastien", "Aurélie", "Maxime", "Élodie", "Romain", "Pauline", "Olivier", "Anne",
    "Vincent", "Hélène", "Benoît", "Caroline", "François", "Isabelle", "Hugo", "Léa",
    "Arnaud", "Manon", "Jérôme", "Sandrine", "Damien", "Nathalie", "Yann", "Mélanie",
    "Cédric", "Virginie", "Fabien", "Karine", "Louis", "Chloé", "Bastien", "Margaux",
]  # fmt: skip

LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
    "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David",
    "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre",
    "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine",
    "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis",
    "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël", "Meyer",
    "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour", "Blanchard", "Marie",
    "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez",
]  # fmt: skip

FOREIGN_FIRST_NAMES = [
    "James", "Emma", "Oliver", "Sarah", "Lukas", "Anna", "Jan", "Sophie", "Michael",
    "Laura", "Daniel", "Hannah", "Pieter", "Lotte", "Markus", "Julia", "David", "Emily",
]  # fmt: skip
FOREIGN_LAST_NAMES = [
    "Smith", "Taylor", "Brown", "Walker", "Müller", "Schneider", "Fischer", "Weber",
    "de Vries", "Jansen", "Peeters", "Janssens", "Keller", "Huber", "Miller", "Johnson",
    "O'Brien", "Murphy", "Wilson", "Becker",
]  # fmt: skip

JOB_TITLES = [
    "Directeur général", "Directeur technique", "Responsable achats", "Directeur de production",
    "Responsable maintenance", "DSI", "Responsable méthodes", "Directeur d'usine",
    "Responsable qualité", "Acheteur industriel", "Chef de projet", "Directeur administratif et financier",
]  # fmt: skip
PARTNER_JOB_TITLES = [
    "Gérant", "Directeur commercial", "Ingénieur avant-vente", "Chef de projet intégration",
    "Responsable partenariats", "Technicien certifié", "Account manager",
]  # fmt: skip

INDUSTRIES = [
    "Industrie mécanique", "Agroalimentaire", "Plasturgie", "Chimie", "Pharmacie",
    "Automobile", "Aéronautique", "Énergie", "Traitement de l'eau", "Logistique",
    "BTP", "Métallurgie", "Papier et emballage", "Électronique", "Cosmétique",
    "Collectivités", "Santé", "Textile technique",
]  # fmt: skip
# How often each industry is drawn, same order as INDUSTRIES.
INDUSTRY_WEIGHTS = [9, 9, 6, 5, 3, 5, 3, 4, 3, 6, 4, 5, 3, 4, 2, 3, 2, 2]

_FR_ACTIVITIES = [
    "Mécanique", "Usinage", "Plasturgie", "Emballages", "Transports", "Fonderie",
    "Métallerie", "Découpe", "Chaudronnerie", "Agroalimentaire", "Conserveries",
    "Laiteries", "Biscuiterie", "Industries", "Électronique", "Automatismes",
    "Traitement de surface", "Peintures", "Composites", "Matériaux", "Logistique",
    "Froid industriel", "Énergies", "Hydraulique", "Robinetterie", "Menuiseries",
    "Cartonnages", "Imprimerie", "Verrerie", "Céramiques",
]  # fmt: skip
_FR_REGIONS = [
    "de l'Ouest", "du Nord", "de Provence", "d'Alsace", "de Bretagne", "Normande",
    "Lorraine", "du Rhône", "Atlantique", "des Alpes", "de Loire", "Champenoise",
    "du Sud-Ouest", "Picarde", "d'Auvergne", "du Jura", "Vendéenne", "Savoyarde",
]  # fmt: skip
_FR_CITIES = [
    "Lyon", "Lille", "Nantes", "Rennes", "Toulouse", "Bordeaux", "Grenoble", "Reims",
    "Metz", "Nancy", "Angers", "Tours", "Rouen", "Caen", "Dijon", "Besançon", "Limoges",
    "Clermont", "Annecy", "Valence", "Nîmes", "Pau", "Brest", "Le Mans", "Amiens",
    "Orléans", "Mulhouse", "Troyes", "Poitiers", "Cholet",
]  # fmt: skip
_COINED_PREFIXES = [
    "Techn", "Indus", "Agri", "Métal", "Plast", "Hydr", "Therm", "Électr", "Méca",
    "Aéro", "Nov", "Proc", "Eur", "Flex", "Sol", "Vert", "Cap", "Opt", "Alp", "Atlant",
]  # fmt: skip
_COINED_SUFFIXES = [
    "oval", "ilys", "ica", "eo", "ys", "alis", "iance", "tec", "ium", "ena", "ova", "ix",
    "elis", "ora", "ance",
]  # fmt: skip
_FR_FORMS = ["SAS", "SAS", "SAS", "SA", "SARL", "SARL"]

# country -> (words, activities, legal forms)
_FOREIGN_STYLE: dict[str, tuple[list[str], list[str], list[str]]] = {
    "GB": (
        ["Thames", "Midlands", "Pennine", "Severn", "Humber", "Clyde", "Mersey", "Wessex"],
        ["Engineering", "Packaging", "Foods", "Plastics", "Logistics", "Components"],
        ["Ltd", "Ltd", "plc"],
    ),
    "IE": (
        ["Liffey", "Shannon", "Munster", "Leinster", "Connacht"],
        ["Engineering", "Foods", "Pharma", "Logistics"],
        ["Ltd"],
    ),
    "DE": (
        ["Rhein", "Main", "Schwarzwald", "Elbe", "Ruhr", "Bayern", "Weser", "Neckar"],
        ["Maschinenbau", "Kunststofftechnik", "Verpackung", "Lebensmittel", "Metallbau"],
        ["GmbH", "GmbH", "AG", "GmbH & Co. KG"],
    ),
    "AT": (
        ["Donau", "Tirol", "Steiermark", "Salzach"],
        ["Maschinenbau", "Industrietechnik"],
        ["GmbH"],
    ),
    "CH": (
        ["Léman", "Jura", "Aare", "Zürich", "Ticino", "Berner"],
        ["Präzision", "Mécanique", "Pharma", "Microtechnique"],
        ["AG", "SA", "GmbH"],
    ),
    "BE": (
        ["Meuse", "Escaut", "Brabant", "Ardennes"],
        ["Industrie", "Techniek", "Foods"],
        ["SA", "NV", "SRL"],
    ),
    "NL": (
        ["Holland", "Maas", "Zeeland", "Twente"],
        ["Techniek", "Verpakking", "Foods"],
        ["BV", "BV", "NV"],
    ),
    "LU": (["Moselle", "Alzette"], ["Industries", "Logistics"], ["SA", "Sàrl"]),
    "US": (
        ["Great Lakes", "Ohio Valley", "Lone Star", "Pacific", "Carolina", "Keystone"],
        ["Manufacturing", "Industrial", "Packaging", "Foods", "Controls"],
        ["Inc.", "Inc.", "LLC", "Corp."],
    ),
    "CA": (
        ["Laurentian", "Ontario", "Prairie", "Québec"],
        ["Manufacturing", "Industries"],
        ["Inc.", "Ltée"],
    ),
}
_TLD = {"FR": "fr", "GB": "co.uk", "IE": "ie", "DE": "de", "AT": "at", "CH": "ch", "BE": "be",
        "NL": "nl", "LU": "lu", "US": "com", "CA": "ca"}  # fmt: skip


def slug(text: str) -> str:
    """ASCII lower-case letters and digits joined by hyphens: ``"Lefèvre Mécanique"`` -> ``lefevre-mecanique``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def person_name(rnd: random.Random, *, foreign: bool = False) -> tuple[str, str]:
    if foreign:
        return rnd.choice(FOREIGN_FIRST_NAMES), rnd.choice(FOREIGN_LAST_NAMES)
    return rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)


def _french_company(rnd: random.Random) -> str:
    pattern = rnd.random()
    if pattern < 0.35:
        return f"{rnd.choice(LAST_NAMES)} {rnd.choice(_FR_ACTIVITIES)}"
    if pattern < 0.6:
        return f"{rnd.choice(_FR_ACTIVITIES)} {rnd.choice(_FR_REGIONS)}"
    if pattern < 0.8:
        return f"{rnd.choice(_COINED_PREFIXES)}{rnd.choice(_COINED_SUFFIXES)}"
    return f"{rnd.choice(_FR_ACTIVITIES)} {rnd.choice(LAST_NAMES)} & Fils"


def _foreign_company(rnd: random.Random, country: str) -> tuple[str, str]:
    words, activities, forms = _FOREIGN_STYLE[country]
    if rnd.random() < 0.5:
        base = f"{rnd.choice(words)} {rnd.choice(activities)}"
    else:
        base = f"{rnd.choice(FOREIGN_LAST_NAMES)} {rnd.choice(activities)}"
    return base, rnd.choice(forms)


def company_names(rnd: random.Random, countries: list[str]) -> list[tuple[str, str, str]]:
    """One unique ``(short name, legal name, domain)`` per country given, in the same order."""
    seen_names: set[str] = set()
    seen_domains: set[str] = set()
    result: list[tuple[str, str, str]] = []
    for country in countries:
        for attempt in range(40):
            if country == "FR":
                base, form = _french_company(rnd), rnd.choice(_FR_FORMS)
            else:
                base, form = _foreign_company(rnd, country)
            if attempt >= 10:
                # The word lists run out for large seeds: a city makes the name unique again.
                base = (
                    f"{base} {rnd.choice(_FR_CITIES)}" if country == "FR" else f"{base} {attempt}"
                )
            if base not in seen_names:
                break
        seen_names.add(base)
        domain = f"{slug(base)}.{_TLD.get(country, 'com')}"
        suffix = 2
        while domain in seen_domains:
            domain = f"{slug(base)}-{suffix}.{_TLD.get(country, 'com')}"
            suffix += 1
        seen_domains.add(domain)
        result.append((base, f"{base} {form}", domain))
    return result
