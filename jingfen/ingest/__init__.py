"""Ingest: validate BSS extract files in landing/, load good ones into the Parquet raw layer,
quarantine bad ones, and audit every outcome in warehouse/ingest.duckdb.

The core here is engine-free: ``run_load`` runs the steps of a load (``jingfen.ingest.load``);
``flows/ingest.py`` runs the same steps as Prefect tasks.  Rules and outcomes are described in
docs/ingest.md.
"""

from jingfen.ingest.audit import AuditStore, History
from jingfen.ingest.discover import Delivery, Discovery, discover
from jingfen.ingest.load import (
    LoadSteps,
    begin_load,
    end_load,
    ingest_file,
    ingest_files,
    ingest_stray_controls,
    load_lock,
    run_load,
    summarise,
)
from jingfen.ingest.model import FileOutcome, LoadContext, Reason, Waiting
from jingfen.ingest.refs import ReferenceDataError
from jingfen.ingest.validate import RowValidator
from jingfen.ingest.waiting import hold_waiting

__all__ = [
    "AuditStore",
    "Delivery",
    "Discovery",
    "FileOutcome",
    "History",
    "LoadContext",
    "LoadSteps",
    "Reason",
    "ReferenceDataError",
    "RowValidator",
    "Waiting",
    "begin_load",
    "discover",
    "end_load",
    "hold_waiting",
    "ingest_file",
    "ingest_files",
    "ingest_stray_controls",
    "load_lock",
    "run_load",
    "summarise",
]
