"""People and business identities: names, phones, e-mails and addresses.

These are the direct identifiers the ETL must strip, so they have to look real enough that
a leak would be noticed. Names follow the owner's community; business names follow the
legal form and the sector, the way northern businesses actually name themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .places import SETTLEMENTS, STREETS
from .style import choose, pick_rows, ragged, translit

POOLS = ("sr", "sq", "bs", "go", "rom", "tr", "me")
"""Name pools; see ``ETHNIC_POOL`` for which community uses which."""

ETHNIC_POOL = {
    "serb": "sr", "albanian": "sq", "bosniak": "bs", "gorani": "go", "roma": "rom",
    "ashkali": "sq", "egyptian": "sq", "turkish": "tr", "montenegrin": "me", "other": "sr",
    "undisclosed": "sr",
}
ALBANIAN_SPEAKING = frozenset({"sq", "tr"})
"""Pools whose businesses are named, and products described, in Albanian."""

_MALE = {
    "sr": (
        "Marko", "Nikola", "Stefan", "Miloš", "Dragan", "Nenad", "Zoran", "Dejan", "Milan",
        "Goran", "Srđan", "Vladimir", "Aleksandar", "Dušan", "Saša", "Ivan", "Miroslav",
        "Slobodan", "Radomir", "Bojan", "Nebojša", "Predrag", "Veljko", "Uroš", "Miodrag",
        "Živorad", "Ljubiša", "Vukašin", "Danilo", "Dragiša", "Milorad", "Žarko", "Vladan",
        "Darko", "Igor", "Lazar", "Đorđe", "Filip", "Mladen", "Novica",
    ),
    "sq": (
        "Arben", "Besnik", "Driton", "Fatmir", "Agron", "Burim", "Valon", "Ilir", "Blerim",
        "Shpend", "Arton", "Bekim", "Gëzim", "Labinot", "Lulzim", "Mentor", "Naim", "Petrit",
        "Ramadan", "Skender", "Visar", "Florent", "Avni", "Bujar",
    ),
    "bs": (
        "Emir", "Adnan", "Amir", "Edin", "Mirsad", "Senad", "Almir", "Jasmin", "Nermin",
        "Haris", "Samir", "Enes", "Kenan", "Muhamed",
    ),
    "go": (
        "Sabit", "Nedžad", "Fikret", "Muhamed", "Adem", "Sadri", "Šaćir", "Ćazim", "Redžep",
        "Ramiz",
    ),
    "rom": (
        "Bajram", "Dževdet", "Ramiz", "Kadri", "Muharem", "Enver", "Safet", "Đemail",
        "Zijadin", "Sabahudin",
    ),
    "tr": ("Mehmet", "Ali", "Murat", "Erhan", "Kenan", "Orhan", "Sinan", "Tarık"),
    "me": ("Vuk", "Radovan", "Milorad", "Dragutin", "Veselin", "Budimir", "Radoje", "Vesko"),
}
_FEMALE = {
    "sr": (
        "Dragana", "Jelena", "Milica", "Ivana", "Snežana", "Marija", "Jovana", "Ana",
        "Biljana", "Gordana", "Vesna", "Tatjana", "Danijela", "Slađana", "Mirjana", "Ljiljana",
        "Nataša", "Tijana", "Sanja", "Zorica", "Radmila", "Dušica", "Olivera", "Jasmina",
        "Katarina", "Svetlana", "Branka", "Marina", "Aleksandra", "Vesna",
    ),
    "sq": (
        "Drita", "Arta", "Blerta", "Vlora", "Mimoza", "Fitore", "Lumnije", "Shqipe", "Teuta",
        "Valbona", "Albulena", "Besa", "Donika", "Edona", "Flutura", "Merita", "Qendresa",
    ),
    "bs": ("Amela", "Emina", "Lejla", "Selma", "Azra", "Merima", "Aida", "Alma", "Belma",
           "Sabina"),
    "go": ("Ajša", "Fatima", "Hajrija", "Zumreta", "Sebiha", "Nurija", "Ferida", "Sanija"),
    "rom": ("Ljuljeta", "Fatima", "Sevdija", "Ramiza", "Šemsa", "Merita", "Ćamila", "Elvira"),
    "tr": ("Ayşe", "Emine", "Fatma", "Hatice", "Zeynep", "Selma"),
    "me": ("Milena", "Danica", "Vera", "Ljubica", "Radojka", "Jelena"),
}
_SURNAMES = {
    "sr": (
        "Jovanović", "Milić", "Petrović", "Nikolić", "Marković", "Đorđević", "Stojanović",
        "Ilić", "Stanković", "Pavlović", "Milošević", "Todorović", "Radović", "Vuković",
        "Lazić", "Simić", "Kostić", "Ristić", "Milenković", "Jakšić", "Filipović", "Vasić",
        "Božović", "Tomić", "Arsić", "Mitić", "Đokić", "Radosavljević", "Obradović",
        "Dimitrijević", "Savić", "Perić", "Rakić", "Vučković", "Milovanović", "Jeremić",
        "Kojić", "Milojević", "Trajković", "Veselinović", "Vulović", "Stevanović", "Gligorić",
        "Radivojević", "Spasić", "Milutinović", "Nedeljković", "Biševac", "Ivanović",
        "Lukić",
    ),
    "sq": (
        "Krasniqi", "Berisha", "Gashi", "Hoxha", "Shala", "Morina", "Kelmendi", "Bytyqi",
        "Hasani", "Rexhepi", "Ahmeti", "Mustafa", "Rama", "Osmani", "Kastrati", "Sylejmani",
        "Beqiri", "Zeqiri", "Haxhiu", "Ajeti", "Sadiku", "Halili", "Ibishi", "Mehmeti",
    ),
    "bs": (
        "Hodžić", "Mehmedović", "Delić", "Hadžić", "Kurtović", "Begović", "Ramić", "Salihović",
        "Muratović", "Halilović", "Omerović", "Suljić",
    ),
    "go": ("Šerifi", "Tahiri", "Redžepi", "Adžemi", "Bajrami", "Dauti", "Mifta", "Murati",
           "Ferati", "Jonuzi"),
    "rom": ("Bajrami", "Demiri", "Salihu", "Mehmeti", "Ademi", "Rašiti", "Kurteši", "Ajdini"),
    "tr": ("Hoca", "Çelik", "Kalkan", "Topçu", "Şeho", "Aydın"),
    "me": ("Vujović", "Radulović", "Bojović", "Šćekić", "Lakićević", "Vukčević", "Perović",
           "Kaluđerović"),
}


def person_names(
    rng: np.random.Generator, pool: np.ndarray, female: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """First names and surnames for rows of pool indices (into ``POOLS``) and sexes."""
    n = len(pool)
    first = np.empty(n, dtype=object)
    last = np.empty(n, dtype=object)
    for p, key in enumerate(POOLS):
        rows = pool == p
        if not rows.any():
            continue
        surnames = np.array(_SURNAMES[key], dtype=object)
        last[rows] = surnames[rng.integers(0, len(surnames), rows.sum())]
        for is_f, names in ((True, _FEMALE[key]), (False, _MALE[key])):
            sel = rows & (female == is_f)
            arr = np.array(names, dtype=object)
            first[sel] = arr[rng.integers(0, len(arr), sel.sum())]
    return first, last


def name_capacity() -> int:
    """How many distinct full names the pools can produce (bounds unique participants)."""
    return sum(
        len(set(_SURNAMES[k])) * (len(set(_MALE[k])) + len(set(_FEMALE[k]))) for k in POOLS
    )


# Business naming -----------------------------------------------------------------------

BRANDS_SR = (
    "Kopaonik", "Ibar", "Rogozna", "Gazivode", "Jarinje", "Banjska", "Lipa", "Hrast", "Jela",
    "Sunce", "Kristal", "Izvor", "Vidik", "Duga", "Bor", "Dukat", "Zlatibor", "Lav", "Sokol",
    "Jasen",
)
BRANDS_SR_LONG = ("Mokra Gora", "Zlatni klas", "Stari hrast", "Plavi izvor", "Orlovo gnezdo")
BRANDS_SQ = (
    "Ibri", "Dardania", "Iliria", "Shala", "Bajgora", "Drini", "Arbëria", "Kosova", "Flaka",
    "Ylli", "Dielli", "Agimi",
)
SUFFIX_SR = ("Promet", "Trade", "Komerc", "Prom", "Export-Import", "Company")
SUFFIX_SQ = ("Trade", "Company", "Group", "Commerce")


def _from(rng: np.random.Generator, values: Sequence[str], n: int) -> np.ndarray:
    arr = np.array(values, dtype=object)
    return arr[rng.integers(0, len(arr), n)]


def business_names(
    rng: np.random.Generator,
    *,
    legal_form: np.ndarray,
    albanian: np.ndarray,
    surname: np.ndarray,
    first: np.ndarray,
    kinds_sr: tuple[np.ndarray, np.ndarray],
    kinds_sq: tuple[np.ndarray, np.ndarray],
    prefix: np.ndarray,
    abbr: np.ndarray,
    settlement: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Business names and the brand token behind each (for company e-mail domains).

    ``kinds_*`` are (matrix, counts) per row of sector nouns such as ``Mlekara`` or
    ``Stolarija``; ``legal_form`` holds codes as text.
    """
    n = len(legal_form)
    kind_sr = kinds_sr[0][np.arange(n), pick_rows(rng, kinds_sr[1])]
    kind_sq = kinds_sq[0][np.arange(n), pick_rows(rng, kinds_sq[1])]
    brand = np.where(rng.random(n) < 0.85, _from(rng, BRANDS_SR, n),
                     _from(rng, BRANDS_SR_LONG, n))
    short_brand = _from(rng, BRANDS_SR, n)
    brand_sq = _from(rng, BRANDS_SQ, n)
    suffix = _from(rng, SUFFIX_SR, n)
    suffix_sq = _from(rng, SUFFIX_SQ, n)
    pattern = choose(rng, (0.34, 0.26, 0.08, 0.16, 0.10, 0.06), n)
    sp = " "

    # Serbian-language names: A kind+surname, B abbr+surname, B2 abbr+brand, C kind+brand,
    # D prefix-brand, E surname+suffix.
    name = np.select(
        [pattern == 0, pattern == 1, pattern == 2, pattern == 3, pattern == 4],
        [kind_sr + sp + surname, abbr + sp + surname, abbr + ' "' + short_brand + '"',
         kind_sr + sp + brand, prefix + "-" + short_brand],
        surname + sp + suffix,
    )
    token = np.select([pattern == 0, pattern == 1, pattern == 5], [surname, surname, surname],
                      np.where(pattern == 4, short_brand, brand))
    llc = legal_form == "llc"
    # Companies rarely use the craft abbreviations.
    name = np.where(llc & (pattern <= 2), kind_sr + sp + brand, name)
    token = np.where(llc & (pattern <= 2), brand, token)
    llc_suffix = np.where(rng.random(n) < 0.8, " d.o.o.", " doo")
    name = np.where(llc, name + llc_suffix, name)
    name = np.where(legal_form == "general_partnership",
                    np.where(rng.random(n) < 0.5, surname + " i sinovi o.d.",
                             kind_sr + sp + surname + " o.d."), name)
    name = np.where(legal_form == "limited_partnership", surname + sp + suffix + " k.d.", name)
    name = np.where(legal_form == "jsc", kind_sr + sp + brand + " a.d.", name)
    coop = legal_form == "agricultural_cooperative"
    name = np.where(coop, np.where(rng.random(n) < 0.6, "Zemljoradnička zadruga " + settlement,
                                   'ZZ "' + brand + '"'), name)
    token = np.where(coop, brand, token)
    name = np.where(legal_form == "foreign_branch", brand + sp + suffix + " - ogranak", name)

    # Albanian-language names: N.T.P. (sole trader) or SH.P.K. (company).
    sq_pattern = choose(rng, (0.4, 0.25, 0.2, 0.15), n)
    sq_name = np.select(
        [sq_pattern == 0, sq_pattern == 1, sq_pattern == 2],
        ["N.T.P. " + surname, "N.T.P. " + '"' + first + '"', kind_sq + sp + surname],
        prefix + sp + brand_sq,
    )
    sq_token = np.where(sq_pattern == 3, brand_sq, surname)
    sq_company = ~np.isin(legal_form, ("individual_business", "other"))
    sq_name = np.where(sq_company, np.where(rng.random(n) < 0.5, surname + sp + suffix_sq,
                                            kind_sq + sp + brand_sq) + " SH.P.K.", sq_name)
    sq_token = np.where(sq_company & (sq_pattern != 3), surname, sq_token)
    return np.where(albanian, sq_name, name), np.where(albanian, sq_token, token)


def counterpart_names(rng: np.random.Generator, serbian: np.ndarray,
                      kinds_sq: np.ndarray, kinds_sr: np.ndarray) -> np.ndarray:
    """Names of B2B counterparts from the rest of Kosovo (Albanian-sounding unless Serbian)."""
    n = len(serbian)
    surname_sq = _from(rng, _SURNAMES["sq"], n)
    surname_sr = _from(rng, _SURNAMES["sr"], n)
    brand_sq = _from(rng, BRANDS_SQ, n)
    pattern = rng.integers(0, 4, n)
    sq = np.select(
        [pattern == 0, pattern == 1, pattern == 2],
        [kinds_sq + " " + brand_sq + " SH.P.K.", surname_sq + " " + _from(rng, SUFFIX_SQ, n)
         + " SH.P.K.", "N.T.P. " + surname_sq],
        "Agro " + brand_sq + " SH.P.K.",
    )
    sr = np.where(pattern < 2, kinds_sr + " " + surname_sr, surname_sr + " Komerc d.o.o.")
    return np.where(serbian, sr, sq)


# Contact details -------------------------------------------------------------------------

KOSOVO_MOBILE = ("44", "45", "49", "43", "46", "48")
SERBIAN_MOBILE = ("60", "61", "62", "63", "64", "65", "66")
PROVIDERS = ("gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
             "open.telekom.rs")


def _digits(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    low = 10 ** (width - 1) if width > 1 else 0
    return rng.integers(low, 10**width, n).astype(str).astype(object)


def phones(rng: np.random.Generator, serbian_sim: np.ndarray) -> np.ndarray:
    """Mobile numbers written the several ways people give them."""
    n = len(serbian_sim)
    ks = _from(rng, KOSOVO_MOBILE, n)
    rs = _from(rng, SERBIAN_MOBILE, n)
    a, b, b4 = _digits(rng, n, 3), _digits(rng, n, 3), _digits(rng, n, 4)
    style = rng.integers(0, 3, n)
    kosovo = np.select([style == 0, style == 1],
                       ["+383 " + ks + " " + a + " " + b, "0" + ks + " " + a + " " + b],
                       "+383" + ks + a + b)
    serbia = np.select([style == 0, style == 1],
                       ["+381 " + rs + " " + a + " " + b4, "0" + rs + "/" + a + "-" + b4],
                       "+381" + rs + a + b4)
    return np.where(serbian_sim, serbia, kosovo)


def emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray,
           birth_year: np.ndarray, company: np.ndarray, token: np.ndarray) -> np.ndarray:
    """Name-based private addresses; some companies use ``info@`` on their own domain."""
    n = len(first)
    f, s = translit(first), translit(last)
    yy = np.char.zfill((np.asarray(birth_year) % 100).astype(str), 2).astype(object)
    initial = np.asarray(f, dtype=str).astype("U1").astype(object)
    provider = np.array(PROVIDERS, dtype=object)[choose(rng, (55, 15, 13, 6, 6, 5), n)]
    style = rng.integers(0, 4, n)
    local = np.select([style == 0, style == 1, style == 2],
                      [f + "." + s, f + s + yy, initial + s], s + "." + f)
    private = local + "@" + provider
    tld = np.array((".com", ".rs", "-ks.com", ".net"), dtype=object)[rng.integers(0, 4, n)]
    corporate = np.array(("info@", "office@", "prodaja@"), dtype=object)[rng.integers(0, 3, n)]
    own = corporate + translit(token) + tld
    return np.where(company & (rng.random(n) < 0.5), own, private)


def addresses(rng: np.random.Generator, kas: np.ndarray, settlement_idx: np.ndarray,
              albanian: np.ndarray) -> np.ndarray:
    """Street and number in the town seats; ``bb`` (no number) or ``p.n.`` in villages."""
    n = len(kas)
    out = np.empty(n, dtype=object)
    number = rng.integers(1, 160, n).astype(str).astype(object)
    letter = np.where(rng.random(n) < 0.08, np.array(("a", "b"), dtype=object)[
        rng.integers(0, 2, n)], "")
    for code, places in SETTLEMENTS.items():
        streets = np.array(STREETS[code], dtype=object)
        sr = np.array([p.name for p in places], dtype=object)
        sq = np.array([p.sq or p.name for p in places], dtype=object)
        town = np.array([p.town for p in places])
        rows = kas == code
        idx = settlement_idx[rows]
        street = streets[rng.integers(0, len(streets), rows.sum())]
        village = np.where(albanian[rows], sq[idx] + " p.n.", sr[idx] + " bb")
        out[rows] = np.where(town[idx], street + " " + number[rows] + letter[rows], village)
    return out


def settlement_names(kas: np.ndarray, settlement_idx: np.ndarray,
                     albanian: np.ndarray) -> np.ndarray:
    """Settlement as recorded: Albanian form for Albanian owners where the place has one."""
    out = np.empty(len(kas), dtype=object)
    for code, places in SETTLEMENTS.items():
        rows = kas == code
        sr = np.array([p.name for p in places], dtype=object)
        sq = np.array([p.sq or p.name for p in places], dtype=object)
        idx = settlement_idx[rows]
        out[rows] = np.where(albanian[rows], sq[idx], sr[idx])
    return out


def kinds_matrix(rows: Sequence[Sequence[str]], sector: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Per-row (matrix, counts) of sector nouns, for ``business_names``."""
    table, counts = ragged(rows)
    return table[sector], counts[sector]
