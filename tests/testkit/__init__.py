"""Test support for the jingfen test suite, importable from every test (``pythonpath = ["tests"]``
in pyproject.toml's pytest section): ``from testkit.warehouse import ...``.

- ``warehouse``: the standard data set and the one builder of the shared session warehouse
  (fixture ``standard_warehouse`` in tests/conftest.py), ``simulate_and_ingest``, ``copy_home``.
- ``superset``, ``browser``: reference queries and page reading for the dashboard tests.
- ``hq``: a contract-shaped indicator warehouse, arrival times and re-signing for the HQ tests.
- ``ingest``: hand-made extracts, seeds and load-audit readers for the ingest tests.
- ``dbt_raw``: a small hand-made raw layer for the dbt tests (and the PII salt they use).
- ``independent_indicators``, ``marts_recall``, ``service_recall``: the second implementation
  of the L0/L1 indicators and the recall measures over a built warehouse.
"""
