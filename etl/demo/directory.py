"""Supplier-directory listings: the demo businesses that signed the consent form to be found.

About ``LISTED_SHARE`` of the businesses are listed, under their registered name or a shorter
trade name, with some public contact details, the languages they deal in, a short plain-text
description in one to three languages and each ``show_*`` choice both ways. Consent is signed
soon after the interview. Each later wave withdraws one or two standing consents and adds a
couple of new listings; a business gone from the survey takes its listing with it, so every
listed business exists in enterprises.csv of that wave. E-mail addresses and websites use the
reserved ``.example`` domain: well-formed, and nobody's.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from etl import refdata

from . import style
from .catalogue import FOOD_DIVISIONS, SECTORS
from .enterprises import Enterprises
from .names import POOLS
from .schema import Table
from .training import workdays

LISTED_SHARE = 0.17
"""Share of the first wave's businesses with a listing."""
NEW_PER_WAVE = 2
"""New listings in each later wave."""
WITHDRAWN_PER_WAVE = (1, 2)
"""Fewest and most standing consents withdrawn in each later wave."""
CONSENT_DAYS = 60
"""Consent is signed within this many days after the interview."""
LANGUAGES = tuple(refdata.codelist("directory_language"))
"""Codes of the ``languages`` column, in the code list's order."""
_SHOW = {"show_products": 0.75, "show_certifications": 0.6, "show_municipality": 0.85}
"""Chance that a listing shows each part."""

#: What each broad sector offers, in English, Albanian and Serbian (plain text, short).
_OFFER = {
    "agriculture": (
        "Family farm from the north of Kosovo: fresh produce in season, wholesale and retail.",
        "Fermë familjare nga veriu i Kosovës: prodhime të freskëta sipas stinës, me shumicë "
        "dhe pakicë.",
        "Porodično gazdinstvo sa severa Kosova: sveži proizvodi u sezoni, na veliko i malo."),
    "food": (
        "Local food producer working to food-safety standards; we supply shops and restaurants.",
        "Prodhues vendor i ushqimit sipas standardeve të sigurisë ushqimore; furnizojmë dyqane "
        "dhe restorante.",
        "Lokalni proizvođač hrane po standardima bezbednosti hrane; snabdevamo prodavnice i "
        "restorane."),
    "manufacturing": (
        "Workshop making goods to order in small and medium series.",
        "Punëtori që prodhon sipas porosisë në seri të vogla dhe të mesme.",
        "Radionica koja izrađuje po porudžbini u malim i srednjim serijama."),
    "construction": (
        "Construction and finishing works for homes and businesses.",
        "Punë ndërtimi dhe përfundimi për shtëpi dhe biznese.",
        "Građevinski i završni radovi za domaćinstva i firme."),
    "trade": (
        "Wholesale and retail; we source goods for businesses across Kosovo.",
        "Tregti me shumicë dhe pakicë; furnizojmë biznese në gjithë Kosovën.",
        "Trgovina na veliko i malo; nabavljamo robu za firme širom Kosova."),
    "transport": (
        "Transport and delivery of goods, also between Kosovo and the region.",
        "Transport dhe dërgesë mallrash, edhe mes Kosovës dhe rajonit.",
        "Prevoz i dostava robe, i između Kosova i regiona."),
    "accommodation_food": (
        "Accommodation and food for guests and groups; catering on request.",
        "Akomodim dhe ushqim për mysafirë dhe grupe; catering me porosi.",
        "Smeštaj i hrana za goste i grupe; ketering po dogovoru."),
    "mining_energy": (
        "Extraction and supply of raw materials for industry and construction.",
        "Nxjerrje dhe furnizim me lëndë të para për industrinë dhe ndërtimin.",
        "Vađenje i isporuka sirovina za industriju i građevinarstvo."),
    "services": (
        "Services for local businesses and households; appointments by phone.",
        "Shërbime për bizneset dhe familjet vendore; takime me telefon.",
        "Usluge za lokalne firme i domaćinstva; termini telefonom."),
}
_WELCOME = ("We welcome partners from the rest of Kosovo.",
            "Mirëpresim partnerë nga pjesa tjetër e Kosovës.",
            "Dobrodošli su partneri iz ostatka Kosova.")
_MAIN_PRODUCT = ("", "Produkti kryesor: {}.", "Glavni proizvod: {}.")
#: Languages each name pool deals in, besides English or German now and then.
_POOL_LANGUAGES = {"sr": ("sr",), "sq": ("sq",), "bs": ("bs", "sr"), "go": ("sr", "sq"),
                   "rom": ("sr", "sq"), "tr": ("tr", "sq"), "me": ("sr",)}
_MAILBOX = (("info", "kontakt", "prodaja"), ("info", "kontakt", "shitja"))
#: Legal-form words a trade name leaves out: N.T.P. "Gëzim" → Gëzim, Pilana Duga d.o.o. →
#: Pilana Duga.
_LEGAL = re.compile(r'^(?:N\.T\.P\.|STR|SZR|UR|PG|ZZ)\s+|\s+(?:d\.o\.o\.|doo|SH\.P\.K\.|a\.d\.|'
                    r'k\.d\.|o\.d\.|- ogranak)$')


@cache
def _broad_sectors() -> tuple[str, ...]:
    """Each demo sector's broad sector (food processing told apart from manufacturing)."""
    by_section = {r["section"]: r["broad_sector"] for r in refdata.read_reference(
        "nace_broad_sectors.csv", ("section", "broad_sector", "label_en", "label_sq",
                                   "label_sr_latn"))}
    divisions = refdata.nace_divisions()
    sections = [divisions[s.division].section for s in SECTORS]
    return tuple("food" if s.division in FOOD_DIVISIONS and section == "C"
                 else by_section[section] for s, section in zip(SECTORS, sections, strict=True))


def trade_name(name: str) -> str:
    """The shorter name a business trades under: its name without the legal-form words."""
    short = _LEGAL.sub("", name.strip()).strip().strip('"').strip()
    return short or name.strip()


def slug(name: str) -> str:
    """An ASCII host label for a name (``Mlekara Jovanović`` → ``mlekara-jovanovic``)."""
    folded = unicodedata.normalize("NFKD", name.replace("đ", "dj").replace("Đ", "Dj"))
    ascii_ = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


def _either(rng: np.random.Generator, flags: np.ndarray) -> np.ndarray:
    """``flags``, with one flipped when there are two or more and all agree (each choice
    appears both ways in any demo big enough to show it)."""
    flags = flags.copy()
    if len(flags) > 1 and (flags.all() or not flags.any()):
        flags[rng.integers(0, len(flags))] ^= True
    return flags


def _languages(rng: np.random.Generator, pools: np.ndarray) -> np.ndarray:
    bits = np.zeros((len(pools), len(LANGUAGES)), dtype=bool)
    for i, pool in enumerate(pools):
        for code in _POOL_LANGUAGES[POOLS[pool]]:
            bits[i, LANGUAGES.index(code)] = True
    other = np.where(bits[:, LANGUAGES.index("sq")], LANGUAGES.index("sr"),
                     LANGUAGES.index("sq"))
    bits[np.arange(len(pools)), other] |= rng.random(len(pools)) < 0.3
    bits[:, LANGUAGES.index("en")] |= rng.random(len(pools)) < 0.35
    bits[:, LANGUAGES.index("de")] |= rng.random(len(pools)) < 0.1
    bits[rng.random(len(pools)) < 0.05] = False  # left empty on the form
    return style.multi(bits, LANGUAGES)


def _descriptions(rng: np.random.Generator, ent: Enterprises, rows: np.ndarray,
                  product: pd.Series) -> dict[str, np.ndarray]:
    """description_en/sq/sr: the local language mostly, the other and English sometimes."""
    k = len(rows)
    sectors = _broad_sectors()
    albanian = ent.albanian[rows]
    local = np.where(albanian, 1, 2)
    has = np.zeros((k, 3), dtype=bool)
    has[np.arange(k), local] = rng.random(k) < 0.9
    has[np.arange(k), 3 - local] = rng.random(k) < 0.3
    has[:, 0] = rng.random(k) < 0.55
    welcome = rng.random(k) < 0.5
    out = {}
    for lang, column in enumerate(("description_en", "description_sq", "description_sr")):
        texts = np.empty(k, dtype=object)
        for i, row in enumerate(rows.tolist()):
            if not has[i, lang]:
                continue
            parts = [_OFFER[sectors[ent.sector[row]]][lang]]
            main = product.get(ent.ids[row])
            if lang == local[i] and isinstance(main, str):
                parts.append(_MAIN_PRODUCT[lang].format(main))
            if welcome[i]:
                parts.append(_WELCOME[lang])
            texts[i] = " ".join(parts)
        out[column] = texts
    return out


def _listings(rng: np.random.Generator, ent: Enterprises, rows: np.ndarray,
              consent: np.ndarray, product: pd.Series) -> Table:
    """Listings of the businesses at positions ``rows``, consent signed on ``consent``."""
    k = len(rows)
    frame = ent.table.frame.iloc[rows]
    names = frame["business_name"].astype(str).str.strip().to_numpy(dtype=object)
    trade = np.array([trade_name(n) for n in names], dtype=object)
    listed = np.where(rng.random(k) < 0.3, trade, names)
    slugs = np.array([slug(t) for t in trade], dtype=object)
    mailbox = np.array([_MAILBOX[int(a)][j] for a, j in
                        zip(ent.albanian[rows], rng.integers(0, 3, k), strict=True)], dtype=object)
    has_slug = slugs != ""
    email = np.where(has_slug & (rng.random(k) < 0.5), mailbox + "@" + slugs + ".example", None)
    form = rng.integers(0, 3, k)  # how the website was written: https, bare host, http
    site = np.select([form == 0, form == 1], ["https://www." + slugs + ".example",
                                              "www." + slugs + ".example"],
                     "http://" + slugs + ".example")
    website = np.where(has_slug & (rng.random(k) < 0.35), site, None)
    phone = frame["phone"].to_numpy(dtype=object)
    show = {c: style.yes_no(rng, _either(rng, rng.random(k) < p)) for c, p in _SHOW.items()}
    out = pd.DataFrame({
        "enterprise_id": ent.ids[rows],
        "consent_date": style.dates(rng, consent),
        "consent_withdrawn": np.full(k, None, dtype=object),
        "listed_name": style.pad(rng, listed),
        "contact_person": np.where(rng.random(k) < 0.55, ent.owner_name[rows], None),
        "public_phone": np.where(rng.random(k) < 0.7, phone, None),
        "public_email": email,
        "website": website,
        "languages": _languages(rng, ent.pool[rows]),
        **_descriptions(rng, ent, rows, product),
        **show,
    })
    return Table("directory_listings", out, {
        "consent_date": consent.astype("datetime64[D]"),
        "consent_withdrawn": np.full(k, np.datetime64("NaT"), dtype="datetime64[D]")})


def _main_products(prods: Table) -> pd.Series:
    frame = prods.frame.drop_duplicates("enterprise_id")
    return pd.Series(frame["product_name"].str.strip().to_numpy(),
                     index=frame["enterprise_id"].to_numpy())


def build(rng: np.random.Generator, ent: Enterprises, prods: Table) -> Table:
    """The first wave's listings: ``LISTED_SHARE`` of the businesses (at least one)."""
    n = len(ent)
    rows = np.sort(rng.choice(n, size=min(n, max(1, round(LISTED_SHARE * n))), replace=False))
    consent = ent.interview[rows] + rng.integers(0, CONSENT_DAYS, len(rows))
    return _listings(rng, ent, rows, consent, _main_products(prods))


def advance(rng: np.random.Generator, listings: Table, ent: Enterprises, prods: Table,
            window: tuple[np.datetime64, np.datetime64]) -> Table:
    """A later wave's listings: those of businesses still surveyed, one or two standing
    consents withdrawn in ``window``, and ``NEW_PER_WAVE`` new listings signed in it."""
    listings = listings.take(listings.frame["enterprise_id"].isin(ent.ids).to_numpy())
    withdrawn = listings.dates["consent_withdrawn"].copy()
    standing = np.flatnonzero(np.isnat(withdrawn))
    k = min(len(standing), int(rng.integers(WITHDRAWN_PER_WAVE[0], WITHDRAWN_PER_WAVE[1] + 1)))
    out = np.sort(rng.choice(standing, size=k, replace=False))
    withdrawn[out] = np.maximum(workdays(rng, *window, k),
                                listings.dates["consent_date"][out])
    frame = listings.frame.copy()
    frame.loc[out, "consent_withdrawn"] = style.dates(rng, withdrawn[out])
    listings = Table("directory_listings", frame,
                     {**listings.dates, "consent_withdrawn": withdrawn})

    unlisted = np.flatnonzero(~pd.Index(ent.ids).isin(frame["enterprise_id"]))
    rows = np.sort(rng.choice(unlisted, size=min(NEW_PER_WAVE, len(unlisted)), replace=False))
    consent = np.maximum(workdays(rng, *window, len(rows)), ent.interview[rows])
    new = _listings(rng, ent, rows, consent, _main_products(prods))
    return listings.append(new)
