"""Build a release: anonymise a checked input and publish both packages atomically."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from etl import refdata
from etl.anonymise.params import SUPPRESSED
from etl.anonymise.release import AnonymisedRelease
from etl.history import ledger as ledgers
from etl.publish import directory, files, releases
from etl.publish.package import (
    PRODUCT_MAP,
    PROGRAMME,
    PackagePlan,
    Resource,
    plan,
    write_package,
)
from etl.publish.schema import frame_schema
from etl.validate import CheckResult

#: The programme's IATI identifiers (XK: Kosovo). Placeholders until AKTIV registers the
#: activity with IATI: the export is shaped for it, not yet registered.
IATI_REPORTING_ORG = "XK-AKTIV"
IATI_ACTIVITY = "XK-AKTIV-NKPM"

#: Date columns that say when the data is from (the release's date is the latest of them).
DATE_COLUMNS = {"enterprises": ["interview_date"], "trainings": ["start_date", "end_date"],
                "b2b_meetings": ["date"]}


def data_period(result: CheckResult) -> tuple[dt.date | None, dt.date | None]:
    dates = [result.frame(t)[c] for t, cols in DATE_COLUMNS.items() if t in result.tables
             for c in cols]
    values = pd.concat(dates).dropna() if dates else pd.Series([], dtype="datetime64[s]")
    if values.empty:
        return None, None
    return values.min().date(), values.max().date()


def coverage(result: CheckResult) -> dict[str, Any]:
    north = [m for m in refdata.municipalities() if m.northern]
    start, end = data_period(result)
    return {
        "spatial": {
            "country": "XK",
            "municipalities": [{"kas_code": m.kas_code, "name": m.name_en,
                                "seat": [m.longitude, m.latitude]} for m in north],
            "bbox": [min(m.longitude for m in north), min(m.latitude for m in north),
                     max(m.longitude for m in north), max(m.latitude for m in north)],
        },
        "temporal": {"start": start.isoformat() if start else None,
                     "end": end.isoformat() if end else None},
    }


REQUIREMENT_COLUMNS = {
    "broad_sector": "Broad sector of activity.",
    "requirement": "What a business needs to trade formally (survey item code).",
    "applies_to": "Which businesses the requirement applies to.",
    "authority_en": "The responsible authority, in English.",
    "authority_sq": "The responsible authority, in Albanian.",
    "authority_sr": "The responsible authority, in Serbian.",
    "legal_basis": "The law or regulation (empty where the programme's sources name none).",
    "steps_en": "How to meet it: 2-3 steps in English, separated by ` | `.",
    "steps_sq": "How to meet it, in Albanian (steps separated by ` | `).",
    "steps_sr": "How to meet it, in Serbian (steps separated by ` | `).",
    "documents_en": "Documents asked for, in English (items separated by ` | `).",
    "documents_sq": "Documents asked for, in Albanian (items separated by ` | `).",
    "documents_sr": "Documents asked for, in Serbian (items separated by ` | `).",
    "businesses_applicable": "Mapped businesses of the sector to which it applies; `[c]` "
                             "where suppressed.",
    "businesses_meeting": "Of those, businesses meeting it; `[c]` where suppressed.",
    "share_meeting_pct": "Share meeting it, percent.",
    "status": "published, suppressed (a source cell is suppressed) or not_applicable.",
}


INDICATOR_COLUMNS = {
    "indicator_id": "The indicator's id in the results framework.",
    "level": "Result level: impact, outcome or output.",
    "title_en": "The indicator, in English.",
    "title_sq": "The indicator, in Albanian.",
    "title_sr": "The indicator, in Serbian.",
    "unit": "count, percent or eur.",
    "metric": "The registry metric that computes it (empty: reported by hand).",
    "source": "computed (from the published tables and totals) or reported.",
    "baseline": "Baseline value.",
    "baseline_year": "Year of the baseline.",
    "target": "Target value.",
    "target_date": "When the target is due.",
    "period_start": "Start of the period the actual covers.",
    "period_end": "End of the period the actual covers.",
    "actual": "The actual value; `[c]` where it would come from a suppressed cell.",
    "achieved_pct": "Share of the target achieved, percent (from the baseline).",
    "status": "on_track, at_risk, off_track, no_data or suppressed (thresholds paced by "
              "the time elapsed to the target date).",
    "trend": "Against the previous reported period: up, down or flat.",
    "ascending": "Whether higher is better.",
}


def _dates_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        if str(out[name].dtype).startswith("datetime"):
            out[name] = out[name].dt.strftime("%Y-%m-%d").astype(object)
    return out


def _suppressed(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Numbers of suppressed rows shown as the marker, not blank."""
    hidden = (frame["status"] == "suppressed").to_numpy()
    out = frame.astype(object)
    for name in columns:
        out.loc[hidden, name] = SUPPRESSED
    return out


def extras(result: CheckResult, release: AnonymisedRelease) -> dict[str, PackagePlan]:
    """Resources beyond the anonymiser's — the handbook's requirements and the results
    framework — computed from published cells only."""
    from etl.handbook import requirements_table
    from etl.indicators import results_framework, to_iati_xml

    requirements = requirements_table(release)
    product_map = PackagePlan(PRODUCT_MAP, [Resource(
        "requirements", "Handbook: what a business needs to trade formally, by sector",
        _suppressed(requirements, ["businesses_applicable", "businesses_meeting",
                                   "share_meeting_pct"]),
        frame_schema(requirements, REQUIREMENT_COLUMNS, ["broad_sector", "requirement"],
                     {"broad_sector": "broad_sector", "requirement": "requirement",
                      "applies_to": "requirement_scope", "status": "handbook_status"}),
        "Requirement × authority × legal basis for each sector, beside the share of mapped "
        "businesses meeting it (from the protected compliance tables).")])
    # Free text (the hand reports' notes) is never published: it may name anyone.
    framework = results_framework(result, release).drop(columns=["note"])
    _, end = data_period(result)
    iati = to_iati_xml(framework, activity_identifier=IATI_ACTIVITY,
                       reporting_org_ref=IATI_REPORTING_ORG,
                       generated=files.release_stamp(end).strftime("%Y-%m-%dT%H:%M:%SZ"))
    programme = PackagePlan(PROGRAMME, [Resource(
        "indicators", "Results framework: baseline, target, actual and status",
        _suppressed(_dates_as_text(framework), ["actual", "achieved_pct"]),
        frame_schema(framework, INDICATOR_COLUMNS, ["indicator_id", "period_start"],
                     {"level": "indicator_level", "unit": "indicator_unit", "metric": "metric",
                      "source": "indicator_source", "status": "indicator_status",
                      "trend": "trend"}),
        "The programme's indicators joined with actuals computed from the published tables "
        "(see the metric registry) or reported by hand; exported as IATI results XML in "
        "indicators-iati.xml.")], {"indicators-iati.xml": iati})
    return {PRODUCT_MAP: product_map, PROGRAMME: programme}


def _key(release: AnonymisedRelease, history: tuple[Path, bytes] | None,
         key: bytes | None) -> bytes:
    """The pseudonym key the release was anonymised with (the same the build read)."""
    from etl.anonymise.pseudonym import release_key

    if key is not None:
        return key
    return history[1] if history is not None else release_key(release.demo)


def release_writer(result: CheckResult, release: AnonymisedRelease,
                   extras: dict[str, PackagePlan] | None = None,
                   progress: Callable[[str], None] | None = None,
                   history: tuple[Path, bytes] | None = None,
                   key: bytes | None = None) -> Callable[[Path], None]:
    """What fills a release folder with every package (folder and zip) of `release`, and
    the supplier directory beside them when the input has one (no package lists it).

    With ``history`` (the history folder and the pseudonym key) the release's private ledger
    is written there first, addressed by the release's fingerprint: a build killed after it
    leaves an unused ledger, never a published release without one. ``key`` (default: the
    history's, else the build's from the environment) keys the directory's listing ids.
    """
    _, end = data_period(result)
    stamp = files.release_stamp(end)
    where = coverage(result)
    packages = plan(release, extras)
    listed = directory.directory_bytes(result, _key(release, history, key), release.version)

    def write(folder: Path) -> None:
        for package in packages:
            target = folder / package.name
            target.mkdir()
            written = write_package(target, package, release, stamp=stamp, coverage=where,
                                    progress=progress)
            zipped = files.zip_bytes(((f"{package.name}/{n}", written[n])
                                      for n in sorted(written)), stamp)
            (folder / f"{package.name}.zip").write_bytes(zipped)
        if listed is not None:
            (folder / directory.FILE).write_bytes(listed)
        if history is not None:
            root, key = history
            ledgers.write(root, version=release.version,
                          fingerprint=releases.fingerprint(folder),
                          frames=release.ledger_frames, microdata=release.microdata_index,
                          key=key)

    return write


def _previous(out: Path, version: str) -> Path | None:
    """The release before ``version`` in ``out`` (the newest live lower version), whose
    directory the release notes compare with; a rebuild compares with the same one."""
    below = [e["version"] for e in releases.read_index(out) if not releases.withdrawn(e)
             and releases.version_key(e["version"]) < releases.version_key(version)
             and (out / e["version"]).is_dir()] if out.is_dir() else []
    return out / max(below, key=releases.version_key) if below else None


def directory_note(result: CheckResult, key: bytes, out: Path, version: str) -> str:
    """The release notes' words on the supplier directory (see
    :func:`directory.release_note`)."""
    items = directory.listings(result, key)
    current = None if items is None else {item["id"] for item in items}
    return directory.release_note(current, directory.listed_ids(_previous(out, version)))


def publish_release(result: CheckResult, release: AnonymisedRelease, out: Path,
                    extras: dict[str, PackagePlan] | None = None,
                    progress: Callable[[str], None] | None = None,
                    history: tuple[Path, bytes] | None = None,
                    key: bytes | None = None) -> Path:
    """Write every package of `release` (see :func:`release_writer`) and switch `out/latest`
    to it."""
    _, end = data_period(result)
    stamp = files.release_stamp(end)
    m = release.report["microdata"]
    waves = len(m["waves"])
    audited = release.report["history"]["earlier_releases"]
    summary = (f"{m['records_in']:,} businesses; {m['records_out']:,} microdata records in "
               f"{waves} survey wave{'s' if waves > 1 else ''} (k = {m['achieved_k']}); "
               f"{release.report['tables_summary']['cells']:,} table cells, "
               f"{release.report['tables_summary']['suppressed_share']:.1%} suppressed"
               + (f", audited against {len(audited)} earlier release"
                  f"{'s' if len(audited) > 1 else ''}" if audited else "")
               + "".join(f"; {note}" for note in [directory_note(
                   result, _key(release, history, key), out, release.version)] if note)
               + ("; synthetic demo data" if release.demo else "") + ".")
    return releases.publish(out, release.version,
                            release_writer(result, release, extras, progress, history, key),
                            released=stamp.date().isoformat(), summary=summary)
