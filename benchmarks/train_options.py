"""The training knobs shared by the ranker benchmarks (``cv_resolver.py``, ``loco_resolver.py``):
the same flags build the same :class:`geomap.training.train.TrainOptions`, so a setting
measured by leave-one-corpus-out is the setting cross-validated by document."""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Where the benchmarks keep the pipeline's mentions of each gold file (``--cache``).
DEFAULT_CACHE = Path(tempfile.gettempdir()) / "geomap-mentions"


def default_dir() -> Path:
    """``../shared/eval/dev`` beside the main checkout (also from a git worktree elsewhere)."""
    candidates = [ROOT.parent / "shared" / "eval" / "dev"]
    try:
        common = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                                capture_output=True, text=True, check=True).stdout.strip()
        candidates.append(Path(common).parent.parent / "shared" / "eval" / "dev")
    except (OSError, subprocess.CalledProcessError):
        pass
    return next((c for c in candidates if c.is_dir()), candidates[0])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The training flags (each defaults to :class:`~geomap.training.train.TrainOptions`'s value)."""
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--distant-weight", type=float, default=None)
    parser.add_argument("--l2", type=float, default=None)
    parser.add_argument("--cue-l2", type=float, default=None, help="L2 penalty on the cue features (the same as --family-l2 cue=X)")
    parser.add_argument("--family-l2", default=None,
                        help="per-family L2 penalties, e.g. 'kind=1,population=0.3' (gazetteer.ranker.FAMILIES)")
    parser.add_argument("--prior-signs", choices=("on", "off"), default=None,
                        help="keep the weights of PRIOR_SIGNS to their a-priori signs")
    parser.add_argument("--without", default="", help="features held at their prior: comma-separated prefixes "
                        "of cue features (list, listed with; 'all' for every cue) or full feature names")
    parser.add_argument("--distant-kind-balance", type=float, default=None,
                        help="weigh the masked-qualifier examples answered by towns and by regions alike (0-1)")
    parser.add_argument("--balance", type=float, default=None, help="corpus balance (0-1)")
    parser.add_argument("--prior", choices=("zero", "hand"), default=None, help="what the L2 penalty pulls towards")


def train_options(args: argparse.Namespace, **fields):
    """The :class:`~geomap.training.train.TrainOptions` the flags ask for."""
    from gazetteer import HAND_TUNED
    from gazetteer.ranker import CUE_FEATURES, FEATURES
    from geomap.training.train import TrainOptions

    options = TrainOptions(**fields)
    fit = options.fit
    if args.rounds is not None:
        options = replace(options, rounds=args.rounds)
    if args.distant_weight is not None:
        options = replace(options, distant_weight=args.distant_weight)
    if args.distant_kind_balance is not None:
        options = replace(options, distant_kind_balance=args.distant_kind_balance)
    if args.balance is not None:
        options = replace(options, corpus_balance=args.balance)
    if args.l2 is not None:
        fit = replace(fit, l2=args.l2)
    if args.prior is not None:
        fit = replace(fit, toward=tuple(HAND_TUNED.weight_of.items()) if args.prior == "hand" else ())
    families = dict(fit.family_l2)  # the flags change the families they name, the others keep their penalty
    if args.family_l2 is not None:
        pairs = [p.split("=") for p in args.family_l2.split(",") if p.strip()]
        families.update((name.strip(), float(value)) for name, value in pairs)
    if args.cue_l2 is not None:
        families["cue"] = args.cue_l2
    fit = replace(fit, family_l2=tuple(families.items()))
    if args.prior_signs is not None:
        fit = replace(fit, prior_signs=args.prior_signs == "on")
    if args.without:
        names = tuple(p.strip() for p in args.without.split(",") if p.strip())
        held = tuple(f for f in CUE_FEATURES if "all" in names or f.startswith(names))
        held += tuple(f for f in FEATURES if f in names and f not in held)
        fit = replace(fit, without=held)
    return replace(options, fit=fit)


def load_corpora(parser: argparse.ArgumentParser, files: list[Path], cache: Path):
    """The embedded gazetteer and the gold corpora with the pipeline's own mentions (extracted
    once with spaCy and kept under ``cache``); ``files`` default to every dev file."""
    from gazetteer import open_default
    from geomap.extract import PlaceExtractor
    from geomap.training.corpus import extracted

    files = files or sorted(default_dir().glob("*.jsonl"))
    if not files:
        parser.error(f"no gold files given and none in {default_dir()}: name them")
    missing = [str(f) for f in files if not Path(f).is_file()]
    if missing:
        parser.error(f"no gold file {missing[0]}: give the path of a JSON Lines gold file "
                     "(a glob that matched nothing stays as written)")
    gazetteer = open_default()
    extractor = PlaceExtractor(gazetteer)
    return gazetteer, [extracted(f, extractor, cache) for f in files]
