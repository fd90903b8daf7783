"""The programme's results framework (indicators.csv) and hand-reported actuals.

Baselines of the computed shares are taken from the generated mapping itself, as the real
framework took them from the baseline survey; targets scale with the demo's size. Two
indicators have no metric and get their actuals from indicator_reports.csv, one of them
descending (fewer days to register is better).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import style
from .enterprises import Enterprises
from .schema import Table

TARGET_DATE = "2021-12-31"
BASELINE_YEAR = 2019


def _share(flags: np.ndarray, among: np.ndarray | None = None) -> float:
    base = flags if among is None else flags[among]
    return round(100.0 * float(base.mean()), 1) if len(base) else 0.0


def _round_up(value: float, step: int) -> int:
    return int(math.ceil(value / step) * step) if value > 0 else step


def build(rng: np.random.Generator, ent: Enterprises, *, sessions: int, attendance: int,
          meetings: int) -> tuple[Table, Table]:
    """(indicators, indicator_reports) for a demo of the given size."""
    n = len(ent)
    food = ent.food
    rok = _share(ent.sells_rok)
    reg = _share(ent.formal)
    haccp = _share(ent.haccp, food)
    labels = _share(ent.labels, ent.labelled)
    agreements = _round_up(0.25 * meetings, 5)
    # id, level, en, sq, sr, unit, metric, baseline, target, ascending
    rows = [
        ("IMP1", "impact", "Share of mapped businesses selling to the rest of Kosovo",
         "Përqindja e bizneseve të mapuara që shesin në pjesën tjetër të Kosovës",
         "Udeo mapiranih preduzeća koja prodaju u ostatku Kosova", "percent",
         "businesses_selling_rest_of_kosovo_share", rok, min(100, round(rok) + 15), "yes"),
        ("IMP2", "impact", "Value of deals agreed at B2B meetings",
         "Vlera e marrëveshjeve të arritura në takimet B2B",
         "Vrednost poslova dogovorenih na B2B sastancima", "eur", "b2b_deal_value_eur",
         0, _round_up(agreements * 6000, 10_000), "yes"),
        ("OC1.1", "outcome", "Share of mapped businesses registered with KBRA",
         "Përqindja e bizneseve të mapuara të regjistruara në ARBK",
         "Udeo mapiranih preduzeća registrovanih u ARBK", "percent",
         "businesses_registered_share", reg, min(100, round(reg) + 10), "Yes"),
        ("OC1.2", "outcome", "Share of food businesses with a HACCP-based food-safety system",
         "Përqindja e bizneseve ushqimore me sistem HACCP",
         "Udeo prehrambenih preduzeća sa HACCP sistemom", "percent",
         "food_businesses_haccp_share", haccp, min(100, round(haccp) + 15), "yes"),
        ("OC1.3", "outcome", "Share of businesses labelling products in Albanian and Serbian",
         "Përqindja e bizneseve që i etiketojnë produktet në shqip dhe serbisht",
         "Udeo preduzeća koja proizvode označavaju na albanskom i srpskom", "percent",
         "bilingual_labels_share", labels, min(100, round(labels) + 20), None),
        ("OC2.1", "outcome", "Mean knowledge gain of trainees (test points)",
         "Rritja mesatare e njohurive të pjesëmarrësve (pikë testi)",
         "Prosečan napredak u znanju polaznika (bodovi na testu)", "percent",
         "mean_knowledge_gain", None, 15, "yes"),
        ("OC2.2", "outcome", "Agreements signed at B2B meetings",
         "Marrëveshje të nënshkruara në takimet B2B",
         "Sporazumi potpisani na B2B sastancima", "count", "b2b_agreements_signed",
         0, agreements, "yes"),
        ("OC2.3", "outcome",
         "Average days to register a business at the municipal registration centre",
         "Numri mesatar i ditëve për regjistrimin e biznesit në qendrën komunale",
         "Prosečan broj dana za registraciju biznisa u opštinskom centru", "count", None,
         21, 7, "no"),
        ("OUT1.1", "output", "Businesses mapped", "Biznese të mapuara", "Mapirana preduzeća",
         "count", "businesses_mapped", 0, _round_up(n, 50), "yes"),
        ("OUT1.2", "output",
         "Handbook on entering the formal market published (language versions)",
         "Doracaku për hyrjen në tregun formal i botuar (versione gjuhësore)",
         "Objavljen priručnik o ulasku na formalno tržište (jezičke verzije)", "count", None,
         0, 3, "yes"),
        ("OUT2.1", "output", "Training sessions held", "Sesione trajnimi të mbajtura",
         "Održane obuke", "count", "sessions_held", 0, sessions, "yes"),
        ("OUT2.2", "output", "People trained", "Persona të trajnuar", "Obučene osobe",
         "count", "people_trained", 0, _round_up(0.6 * attendance, 50), "yes"),
        ("OUT2.3", "output", "Share of women among people trained",
         "Përqindja e grave ndër personat e trajnuar", "Udeo žena među obučenim osobama",
         "percent", "women_trained_share", None, 40, "yes"),
        ("OUT2.4", "output", "Share of participants who attended the whole session",
         "Përqindja e pjesëmarrësve që ndoqën të gjithë sesionin",
         "Udeo polaznika koji su prisustvovali celoj obuci", "percent",
         "participants_completed_share", None, 85, None),
        ("OUT3.1", "output", "Pilot B2B meetings held", "Takime pilot B2B të mbajtura",
         "Održani pilot B2B sastanci", "count", "b2b_pilot_meetings_held", 0, 5, "yes"),
        ("OUT3.2", "output", "B2B meetings held", "Takime B2B të mbajtura",
         "Održani B2B sastanci", "count", "b2b_meetings_held", 0, meetings, "yes"),
    ]
    k = len(rows)
    col = list(zip(*rows, strict=True))
    baseline = np.array([np.nan if v is None else float(v) for v in col[7]])
    target_date = np.full(k, np.datetime64(TARGET_DATE))
    target_date[[i for i, r in enumerate(rows) if r[0].startswith("OUT")]] = np.datetime64(
        "2021-06-30")
    indicators = pd.DataFrame({
        "indicator_id": col[0],
        "level": col[1],
        "title_en": col[2],
        "title_sq": col[3],
        "title_sr": col[4],
        "unit": col[5],
        "metric": col[6],
        "baseline": baseline,
        "baseline_year": style.nullable_int(np.full(k, BASELINE_YEAR), np.isnan(baseline)),
        "target": np.array(col[8], dtype=float),
        "target_date": style.dates(rng, target_date, dotted_share=0.25),
        "ascending": col[9],
    })

    periods = [("2019-07-01", "2019-12-31"), ("2020-01-01", "2020-06-30"),
               ("2020-07-01", "2020-12-31")]
    reports = [
        ("OC2.3", *periods[0], 18, "Registration centre in North Mitrovica working again."),
        ("OC2.3", *periods[1], 14, "Online pre-registration introduced."),
        ("OC2.3", *periods[2], 10, None),
        ("OUT1.2", *periods[1], 1, "English version published."),
        ("OUT1.2", *periods[2], 3, "Albanian and Serbian versions published."),
    ]
    rcol = list(zip(*reports, strict=True))
    start = np.array(rcol[1], dtype="datetime64[D]")
    end = np.array(rcol[2], dtype="datetime64[D]")
    indicator_reports = pd.DataFrame({
        "indicator_id": rcol[0],
        "period_start": style.dates(rng, start),
        "period_end": style.dates(rng, end),
        "actual": style.nullable_int(np.array(rcol[3])),
        "note": rcol[4],
    })
    return (Table("indicators", indicators),
            Table("indicator_reports", indicator_reports,
                  {"period_start": start, "period_end": end}))


LATER_NOTES = {
    ("OUT1.2", 4): "Bosnian version published.",
    ("OUT1.2", 5): "Turkish version published.",
    ("OC2.3", 8): "Second registration desk opened in Zvečan.",
}
"""Notes on later waves' reports, by (indicator, actual); other reports carry none."""
DAYS_FLOOR = 5
"""Fewest days a descending count (days to register) plausibly falls to."""
ABOVE_TARGET = 2
"""How far past its target an ascending count keeps growing (e.g. more language versions)."""


def later_report(rng: np.random.Generator, indicators: Table, reports: Table,
                 window: tuple[np.datetime64, np.datetime64]) -> Table:
    """A later wave's report rows: one per indicator without a metric, for ``window``.

    Each follows the indicator's last report: descending ones improve by a day or two down
    to ``DAYS_FLOOR``, ascending ones grow by one up to ``ABOVE_TARGET`` past the target.
    """
    ind = indicators.frame
    manual = ind[ind["metric"].isna()]
    ids = manual["indicator_id"].to_numpy(dtype=object)
    baseline = pd.Series(manual["baseline"].fillna(0).to_numpy(float), index=ids)
    last = (reports.frame.groupby("indicator_id")["actual"].last().astype(float)
            .reindex(ids).fillna(baseline).to_numpy(float))
    descending = (manual["ascending"].str.strip().str.lower() == "no").to_numpy()
    target = manual["target"].to_numpy(float)
    better = np.maximum(DAYS_FLOOR, last - rng.integers(1, 3, len(ids)))
    actual = np.where(descending, np.minimum(last, better),
                      np.where(last < target + ABOVE_TARGET, last + 1, last))
    k = len(ids)
    start = np.full(k, window[0], dtype="datetime64[D]")
    end = np.full(k, window[1], dtype="datetime64[D]")
    frame = pd.DataFrame({
        "indicator_id": ids,
        "period_start": style.dates(rng, start),
        "period_end": style.dates(rng, end),
        "actual": style.nullable_int(actual),
        "note": [LATER_NOTES.get((i, int(a))) for i, a in zip(ids, actual, strict=True)],
    })
    return Table("indicator_reports", frame, {"period_start": start, "period_end": end})
