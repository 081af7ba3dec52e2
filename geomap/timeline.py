"""Dates of documents: parsing, a date range filter, and a time control for maps.

Documents carry their date as ISO 8601 text in ``metadata["date"]`` (``2024-03-05`` or
``2024-03-05T06:30:00+02:00``). :class:`DateRange` keeps those inside a range (what
``--since`` and ``--until`` do); :func:`document_entry` is what a map's data block says of each
article (title, date, site, link); :func:`add_time_control` adds to a map a control that steps
through the days of its articles.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Protocol

from .model import UnreadableDocument

__all__ = ["parse_iso", "parse_bound", "DateRange", "DateFilter", "document_day", "document_entry",
           "time_control_days", "add_time_control"]

log = logging.getLogger(__name__)


class _Dated(Protocol):
    metadata: Any


def parse_iso(value: str | None) -> date | datetime | None:
    """A date or a timezone-aware datetime from ISO 8601 text, or ``None`` if it is not one.

    A datetime without an offset is taken as UTC.

    Examples
    --------
    >>> parse_iso("2024-03-05")
    datetime.date(2024, 3, 5)
    >>> parse_iso("2024-03-05T06:30:00Z").isoformat()
    '2024-03-05T06:30:00+00:00'
    >>> parse_iso("last Tuesday") is None
    True
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def parse_bound(text: str) -> date | datetime:
    """A ``--since``/``--until`` value: ``YYYY-MM-DD`` or an ISO 8601 date and time.

    Raises
    ------
    ValueError
        The text is not an ISO 8601 date.
    """
    parsed = parse_iso(text)
    if parsed is None:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2024-03-05, or YYYY-MM-DDTHH:MM")
    return parsed


def document_day(value: str | None) -> str | None:
    """The calendar day (``YYYY-MM-DD``, as written in its own offset) of an ISO date, or ``None``.

    Examples
    --------
    >>> document_day("2024-03-05T23:30:00-05:00")
    '2024-03-05'
    """
    parsed = parse_iso(value)
    if parsed is None:
        return None
    return (parsed.date() if isinstance(parsed, datetime) else parsed).isoformat()


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of dates; either end may be open.

    A bound given as a day (``2024-03-05``) compares with the calendar day of each document as
    the document writes it; a bound with a time compares instants (a document dated by its day
    only counts as the whole day, in UTC).

    Examples
    --------
    >>> march = DateRange(parse_bound("2024-03-01"), parse_bound("2024-03-31"))
    >>> march.contains("2024-03-05"), march.contains("2024-04-01T00:30:00+02:00"), march.contains(None)
    (True, False, None)
    """

    since: date | datetime | None = None
    until: date | datetime | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and _start(self.since) > _end(self.until):
            raise ValueError(f"--since {self.since.isoformat()} is after --until {self.until.isoformat()}")

    @property
    def active(self) -> bool:
        """Whether either end is set."""
        return self.since is not None or self.until is not None

    def contains(self, value: str | None) -> bool | None:
        """Whether an ISO date lies in the range; ``None`` when it is missing or not a date."""
        parsed = parse_iso(value)
        if parsed is None:
            return None
        if self.since is not None and not _on_or_after(parsed, self.since):
            return False
        if self.until is not None and not _on_or_before(parsed, self.until):
            return False
        return True

    def describe(self) -> str:
        """``between 2024-03-01 and 2024-03-31``, ``since ...`` or ``until ...``."""
        if self.since is not None and self.until is not None:
            return f"between {self.since.isoformat()} and {self.until.isoformat()}"
        if self.since is not None:
            return f"on or after {self.since.isoformat()}"
        if self.until is not None:
            return f"on or before {self.until.isoformat()}"
        return "at any date"


def _start(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time.min, timezone.utc)


def _end(value: date | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time.max, timezone.utc)


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _on_or_after(value: date | datetime, bound: date | datetime) -> bool:
    if isinstance(bound, datetime):
        return _end(value) >= bound
    return _day(value) >= bound


def _on_or_before(value: date | datetime, bound: date | datetime) -> bool:
    if isinstance(bound, datetime):
        return _start(value) <= bound
    return _day(value) <= bound


class DateFilter:
    """Keep the documents whose ``metadata["date"]`` lies in a range, counting what it drops.

    Undated documents (or dates that are not ISO 8601) are left out when the range is active:
    nothing shows that they belong to it. An :class:`~geomap.model.UnreadableDocument` (a batch
    run's failure) is passed on and counted as kept, so that the run reports it.

    Examples
    --------
    >>> from geomap.model import SourceDocument
    >>> docs = [SourceDocument("a", "x", metadata={"date": "2024-03-05"}), SourceDocument("b", "y")]
    >>> keep = DateFilter(DateRange(parse_bound("2024-03-01")))
    >>> [d.id for d in keep(docs)], keep.kept, keep.outside, keep.undated
    (['a'], 1, 0, 1)
    """

    def __init__(self, date_range: DateRange) -> None:
        self.range = date_range
        self.kept = 0
        self.outside = 0
        self.undated = 0

    def __call__(self, documents: Iterable[_Dated]) -> Iterator[Any]:
        for doc in documents:
            if not self.range.active or isinstance(doc, UnreadableDocument):  # a failure, passed on
                self.kept += 1
                yield doc
                continue
            inside = self.range.contains(doc.metadata.get("date"))
            if inside is None:
                self.undated += 1
            elif inside:
                self.kept += 1
                yield doc
            else:
                self.outside += 1

    def dropped(self) -> str:
        """What the range left out, in words (``"2 outside the range, 1 undated"``; ``""`` for nothing)."""
        parts = [f"{self.outside} outside the range" if self.outside else "",
                 f"{self.undated} undated" if self.undated else ""]
        return ", ".join(p for p in parts if p)


# -- on the map: article metadata and the time control ------------------------------------------


def document_entry(doc: Any) -> dict[str, str]:
    """The entry of a document in a map's data block (:func:`geomap.outputs.map.map_data`).

    ``id`` and, where known, ``t`` (title), ``dt`` (date, ISO 8601 as the source gives it),
    ``st`` (site) and ``u`` (the article's address; only ``http(s)://`` addresses, so that a
    link can never be ``javascript:``). The map runtime shows them in popups and in the
    per-article layer control; every value is drawn as text, never as HTML.

    Examples
    --------
    >>> from geomap.model import Document
    >>> document_entry(Document("a", "x", title="T", metadata={"date": "2024-03-05", "url": "javascript:alert(1)"}))
    {'id': 'a', 't': 'T', 'dt': '2024-03-05'}
    """
    entry = {"id": doc.id}
    if doc.title:
        entry["t"] = doc.title
    metadata = doc.metadata or {}
    for key, short in (("date", "dt"), ("site", "st"), ("url", "u")):
        value = metadata.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        value = value.strip()
        if key == "url" and not value[:8].lower().startswith(("http://", "https://")):
            continue
        entry[short] = value
    return entry


_CONTROL_JS = """
(function () {
  var api = (window.geomapMaps || {})[%(id)s];
  if (!api || !api.layers || !api.layers.articles) { return; }
  var map = api.map, toggles = api.layers.articles;
  var days = %(days)s, dayOf = %(day_of)s;
  var control = L.control({position: "bottomleft"});
  var slider, label;
  function show(step) {
    step = Math.max(0, Math.min(days.length, step));
    slider.value = String(step);
    toggles.forEach(function (toggle, i) {
      var on = step === 0 || dayOf[i] === step - 1;
      if (on && !map.hasLayer(toggle)) { map.addLayer(toggle); }
      if (!on && map.hasLayer(toggle)) { map.removeLayer(toggle); }
    });
    label.textContent = step === 0 ? "All dates" : days[step - 1];
  }
  control.onAdd = function () {
    var div = L.DomUtil.create("div", "geomap-time-control leaflet-bar");
    div.style.cssText = "background:#fff;padding:4px 8px;font:12px/1.6 system-ui,sans-serif";
    var back = L.DomUtil.create("button", "geomap-time-back", div);
    back.type = "button"; back.textContent = "\\u25C0"; back.title = "previous date";
    slider = L.DomUtil.create("input", "geomap-time-slider", div);
    slider.type = "range"; slider.min = "0"; slider.max = String(days.length); slider.value = "0";
    slider.setAttribute("aria-label", "date");
    var next = L.DomUtil.create("button", "geomap-time-next", div);
    next.type = "button"; next.textContent = "\\u25B6"; next.title = "next date";
    label = L.DomUtil.create("span", "geomap-time-label", div);
    label.style.marginLeft = "6px";
    label.textContent = "All dates";
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    L.DomEvent.on(slider, "input", function () { show(parseInt(slider.value, 10)); });
    L.DomEvent.on(back, "click", function () { show(parseInt(slider.value, 10) - 1); });
    L.DomEvent.on(next, "click", function () { show(parseInt(slider.value, 10) + 1); });
    return div;
  };
  control.addTo(map);
  api.showDate = show;
})();
"""


def time_control_days(dates: Sequence[str | None]) -> tuple[list[str], list[int]]:
    """The distinct calendar days of ``dates`` in order, and each date's index among them (-1
    when it is missing or not ISO 8601).

    Examples
    --------
    >>> time_control_days(["2024-03-07T09:00:00+00:00", None, "2024-03-05", "2024-03-05T23:00:00-05:00"])
    (['2024-03-05', '2024-03-07'], [1, -1, 0, 0])
    """
    per_doc = [document_day(value) for value in dates]
    days = sorted({day for day in per_doc if day is not None})
    index = {day: i for i, day in enumerate(days)}
    return days, [index[day] if day is not None else -1 for day in per_doc]


def add_time_control(fmap: Any, dates: Sequence[str | None]) -> bool:
    """Add to a geomap map a control that steps through the days of its articles.

    Step 0 shows every article ("All dates"); step *k* switches on only the articles of the
    *k*-th distinct day, in date order, and switches the others off, as unticking them in the
    layer control would (undated articles show only at step 0). It drives the per-article
    layers of the map runtime (``geomapMaps[id].layers.articles``), so add it after the
    geomap layer (:func:`geomap.outputs.map.render` does, for interactive maps).

    Parameters
    ----------
    fmap
        The folium map (holding a geomap layer).
    dates
        The ``metadata["date"]`` of each document, in the order of the map's documents.

    Returns
    -------
    bool
        Whether a control was added: not when fewer than two distinct days are known.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    days, day_of = time_control_days(dates)
    if len(days) < 2:
        return False
    # Days are ISO dates (digits and dashes) and the id is folium's own name: nothing here
    # comes from an article's text, and nothing can open a Jinja tag when folium renders it.
    script = _CONTROL_JS % {"id": json.dumps(fmap.get_name()), "days": json.dumps(days),
                            "day_of": json.dumps(day_of)}

    class _TimeControl(MacroElement):
        _template = Template("{% macro script(this, kwargs) %}{{ this.script }}{% endmacro %}")

        def __init__(self) -> None:
            super().__init__()
            self._name = "GeomapTimeControl"
            self.script = script

    fmap.add_child(_TimeControl())
    return True
