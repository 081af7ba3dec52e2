"""The text form of an evaluation report (what ``geomap eval`` prints without ``--json``)."""

from __future__ import annotations

from .gold import _NO_KIND, KIND_VOCABULARY
from .metrics import EvalReport


# --------------------------------------------------------------------------
# Output


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _fmt_int(value: int | None) -> str:
    return "—" if value is None else str(value)


def format_report(report: EvalReport, *, errors: int = 0) -> str:
    """Render a report as plain text for a terminal.

    Parameters
    ----------
    report : EvalReport
        The report.
    errors : int, default 0
        How many of the worst error cases, and of the false positives, to
        list after the tables.

    Returns
    -------
    str
        Lines joined with ``\\n``, no trailing newline. Undefined figures
        show as ``—``.
    """
    r = report
    lines = [
        f"documents {r.documents}   gold toponyms {r.gold_toponyms}"
        f" (+{r.embedded_gold} embedded, not scored)   predicted {r.predicted_toponyms}"
        f" ({r.ignored_predictions} ignored)"
        + ("   [resolution only: no precision]" if r.resolution_only else "")
        + ("   [gold spans given: recognition not scored]" if r.gold_spans else ""),
    ]
    if r.unknown_documents:
        lines.append(f"predictions for {r.unknown_documents} unknown document ids ignored")
    if not r.gold_spans:
        lines += [
            "",
            "recognition      P      R      F1       TP     FP     FN",
        ]
        for label, s in (("lenient", r.lenient), ("strict", r.strict)):
            lines.append(
                f"  {label:<9} {_fmt(s.precision):>6} {_fmt(s.recall):>6} {_fmt(s.f1):>6}"
                f" {s.tp:>8} {_fmt_int(s.fp):>6} {s.fn:>6}"
            )
    lines += [
        "",
        f"resolution (lenient matches with gold coordinates: {r.resolution_pairs},"
        f" of which unresolved: {r.unresolved_pairs})",
        f"  accuracy@161 km                {_fmt(r.accuracy_at_161):>8}"
        f"   ({r.correct_at_161}/{r.resolution_pairs})",
        f"  country-aware accuracy@161     {_fmt(r.country_aware_accuracy_at_161):>8}"
        f"   ({r.country_aware_correct_at_161}/{r.resolution_pairs})",
        f"  mean error km                  {_fmt(r.mean_error_km, 1):>8}",
        f"  median error km                {_fmt(r.median_error_km, 1):>8}",
        f"  AUC (0 best)                   {_fmt(r.auc):>8}",
        f"  end-to-end accuracy@161        {_fmt(r.end_to_end_accuracy_at_161):>8}"
        f"   ({r.correct_at_161}/{r.gold_with_coordinates})",
        f"  end-to-end country-aware       "
        f"{_fmt(r.country_aware_end_to_end_accuracy_at_161):>8}"
        f"   ({r.country_aware_correct_at_161}/{r.gold_with_coordinates})",
    ]
    if r.kind_pairs:
        lines += [
            "",
            f"kinds: accuracy {_fmt(r.kind_accuracy)} ({r.kind_correct}/{r.kind_pairs})",
        ]
        gold_kinds = sorted({g for g, _, _ in r.kind_confusion})
        pred_kinds = [k for k in (*KIND_VOCABULARY, _NO_KIND)
                      if any(p == k for _, p, _ in r.kind_confusion)]
        counts = {(g, p): n for g, p, n in r.kind_confusion}
        width = max(9, *(len(k) + 1 for k in pred_kinds))
        lines.append("  gold \\ pred " + "".join(f"{k:>{width}}" for k in pred_kinds))
        for g in gold_kinds:
            lines.append(
                f"  {g:<11} "
                + "".join(f"{counts.get((g, p), 0):>{width}}" for p in pred_kinds)
            )
    c = r.calibration
    if c is not None:
        lines += [
            "",
            f"review flags (geomap review): {c.flagged} of {c.predictions} predictions flagged"
            f" ({_fmt(c.flagged_share)})",
            f"  wrong@161 among flagged        {_fmt(c.flagged_error_rate):>8}"
            f"   ({c.flagged_wrong}/{c.flagged_pairs})",
            f"  wrong@161 among unflagged      {_fmt(c.unflagged_error_rate):>8}"
            f"   ({c.unflagged_wrong}/{c.unflagged_pairs})",
            f"  ratio flagged / unflagged      {_fmt(c.error_ratio, 2):>8}",
        ]
    if errors > 0:
        lines += ["", f"worst errors ({min(errors, len(r.error_cases))} of {len(r.error_cases)})"]
        for case in r.error_cases[:errors]:
            if case.predicted is None:
                what = "missed"
            else:
                where = (
                    "no coordinates" if not case.predicted.has_coordinates
                    else f"{case.predicted.lat:.3f},{case.predicted.lon:.3f}"
                )
                what = f"{case.error_km:.0f} km ({where}; {case.reason}"
                what += ", country ok)" if case.country_match else ")"
            lines.append(f"  {case.doc_id}  {case.gold.surface!r}: {what}")
            lines.append(f"      {case.context}")
        if r.false_positives:
            shown = min(errors, len(r.false_positives))
            lines += ["", f"false positives ({shown} of {len(r.false_positives)})"]
            for fp in r.false_positives[:errors]:
                lines.append(f"  {fp.doc_id}  {fp.predicted.surface!r}")
                lines.append(f"      {fp.context}")
    return "\n".join(lines)
