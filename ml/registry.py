"""The model registry: every trained model versioned under ``JINGFEN_HOME/models/<name>/``.

Layout::

    models/<name>/registry.json          champion, and the promotion history (for rollback)
    models/<name>/<version>/model.pkl    the fitted TrainedModel (pickle; trusted, local files only)
    models/<name>/<version>/meta.json    data period, features, parameters, metrics, code version
    models/<name>/<version>/model_card.md
    models/<name>/<version>/report.html  evaluation report with plots

Versions are ``v0001``, ``v0002``, ... in training order. One version is the champion: scoring
uses it. ``promote`` makes a version champion; ``rollback`` returns to the previous champion.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jingfen.config import REPO_ROOT, settings
from ml.trainer import TrainedModel


def code_version() -> str:
    """The git commit of the code (with ``-dirty`` if the tree has changes), or ``unknown``."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
        return commit + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Registry:
    """Versions of one model name (``churn`` by default) under ``root``."""

    name: str = "churn"
    root: Path | None = None

    @property
    def dir(self) -> Path:
        base = self.root if self.root is not None else settings().paths.models
        return base / self.name

    @property
    def _index_path(self) -> Path:
        return self.dir / "registry.json"

    def _index(self) -> dict[str, Any]:
        if self._index_path.exists():
            return json.loads(self._index_path.read_text(encoding="utf-8"))
        return {"name": self.name, "champion": None, "history": []}

    def _save_index(self, index: dict[str, Any]) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        _write_atomic(self._index_path, json.dumps(index, ensure_ascii=False, indent=2))

    def versions(self) -> list[str]:
        if not self.dir.exists():
            return []
        return sorted(
            p.name for p in self.dir.iterdir() if p.is_dir() and (p / "meta.json").exists()
        )

    def next_version(self) -> str:
        existing = [int(v[1:]) for v in self.versions() if v[1:].isdigit()]
        return f"v{(max(existing) + 1) if existing else 1:04d}"

    def save(
        self, model: TrainedModel, meta: dict[str, Any], card: str, report_html: str | None
    ) -> str:
        """Store a trained model as the next version (not champion yet); return the version."""
        version = self.next_version()
        vdir = self.dir / version
        vdir.mkdir(parents=True, exist_ok=False)
        with open(vdir / "model.pkl", "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        meta = {
            **meta,
            "name": self.name,
            "version": version,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "code_version": meta.get("code_version") or code_version(),
        }
        _write_atomic(
            vdir / "meta.json", json.dumps(meta, ensure_ascii=False, indent=2, default=str)
        )
        _write_atomic(vdir / "model_card.md", card.replace("{version}", version))
        if report_html is not None:
            _write_atomic(vdir / "report.html", report_html.replace("{version}", version))
        return version

    def meta(self, version: str) -> dict[str, Any]:
        path = self.dir / version / "meta.json"
        if not path.exists():
            raise FileNotFoundError(
                f"model {self.name} has no version {version!r} (looked for {path}); "
                f"known versions: {', '.join(self.versions()) or 'none'}"
            )
        return json.loads(path.read_text(encoding="utf-8"))

    def load(self, version: str | None = None) -> tuple[TrainedModel, dict[str, Any]]:
        """A version's model and metadata; the champion when ``version`` is None."""
        version = version or self.champion()
        if version is None:
            raise LookupError(
                f"model {self.name} has no champion under {self.dir}: train one with "
                "`jingfen ml train` (the first model trained becomes champion)"
            )
        meta = self.meta(version)
        with open(self.dir / version / "model.pkl", "rb") as fh:
            model = pickle.load(fh)  # noqa: S301 - our own files under JINGFEN_HOME
        return model, meta

    def champion(self) -> str | None:
        return self._index().get("champion")

    def promote(self, version: str, reason: str) -> None:
        """Make ``version`` the champion, recording why."""
        self.meta(version)  # raises a readable error for an unknown version
        index = self._index()
        index["history"].append(
            {
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "action": "promote",
                "from": index.get("champion"),
                "to": version,
                "reason": reason,
            }
        )
        index["champion"] = version
        self._save_index(index)

    def rollback(self, reason: str = "manual rollback") -> str:
        """Return to the champion before the current one; return it."""
        index = self._index()
        current = index.get("champion")
        previous = None
        for event in reversed(index["history"]):
            if event["to"] == current and event.get("from"):
                previous = event["from"]
                break
        if previous is None:
            raise LookupError(
                f"model {self.name}: no earlier champion to roll back to (champion is {current})"
            )
        index["history"].append(
            {
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "action": "rollback",
                "from": current,
                "to": previous,
                "reason": reason,
            }
        )
        index["champion"] = previous
        self._save_index(index)
        return previous

    def listing(self) -> list[dict[str, Any]]:
        """One row per version: when, data period, headline metrics, champion mark."""
        champ = self.champion()
        rows = []
        for v in self.versions():
            m = self.meta(v)
            test = m.get("metrics", {}).get("overall", {})
            rows.append(
                {
                    "version": v,
                    "champion": v == champ,
                    "created_at": m.get("created_at"),
                    "test_periods": ",".join(m.get("split", {}).get("test_periods", [])),
                    "roc_auc": test.get("roc_auc"),
                    "pr_auc": test.get("pr_auc"),
                    "top_decile_lift": test.get("top_decile_lift"),
                    "brier": test.get("brier"),
                    "code_version": m.get("code_version"),
                }
            )
        return rows

    def history(self) -> list[dict[str, Any]]:
        return list(self._index()["history"])
