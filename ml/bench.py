"""Benchmark of the model steps on synthetic data: training on N subscriber-months and scoring
N subscribers (probability, decile, three reasons), with wall time and peak memory.

    python -m ml.bench --rows 1000000

Aims (docs/ml.md): training on 1M subscriber-months under two minutes and scoring 1M
subscribers under thirty seconds on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

from ml.churn import score_frame
from ml.synthetic import churn_frame
from ml.trainer import TrainSpec, train


def run(rows: int = 1_000_000, months: int = 8, method: str = "path") -> dict:
    subs = rows // months
    t0 = time.perf_counter()
    frame = churn_frame(subs, months, seed=0)
    t_gen = time.perf_counter() - t0
    spec = TrainSpec(label="label_churn", id_cols=("subs_id",), exclude=("truth_p_churn",))
    t0, c0 = time.perf_counter(), time.process_time()
    model, parts = train(frame, spec)
    t_train, c_train = time.perf_counter() - t0, time.process_time() - c0
    scoring = churn_frame(rows // 1, 1, seed=1)  # one month of `rows` subscribers
    t0, c0 = time.perf_counter(), time.process_time()
    scores = score_frame(scoring, model, "bench", method)  # type: ignore[arg-type]
    t_score, c_score = time.perf_counter() - t0, time.process_time() - c0
    return {
        "train_rows": int(len(frame)),
        "train_seconds": round(t_train, 1),
        # CPU seconds of this process: on a busy machine wall time says little; on an idle
        # 2-core machine the wall time is between CPU/2 and CPU
        "train_cpu_seconds": round(c_train, 1),
        "best_iteration": model.best_iteration,
        "score_rows": int(len(scores)),
        "score_seconds": round(t_score, 1),
        "score_cpu_seconds": round(c_score, 1),
        "reason_method": str(scores["reason_method"].iloc[0]),
        "generate_seconds": round(t_gen, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def main() -> None:  # pragma: no cover - command line
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--months", type=int, default=8)
    ap.add_argument("--method", default="path", choices=["auto", "shap", "path"])
    args = ap.parse_args()
    print(json.dumps(run(args.rows, args.months, args.method), indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
