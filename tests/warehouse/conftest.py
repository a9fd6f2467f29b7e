"""The warehouse tests read the one standard warehouse of the session (tests/conftest.py,
``standard_warehouse``; the data set and builder are in tests/testkit/warehouse.py).

The names below are the views the test modules ask for; all of them are the same build and
all are read-only: open the database with ``duckdb.connect(path, read_only=True)``. A failed
build fails every test that asks for one of them, with the build's own error.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from testkit.warehouse import StandardWarehouse


@pytest.fixture(scope="session")
def core_home(standard_warehouse: StandardWarehouse) -> StandardWarehouse:
    """Staging, intermediate and star schema built and tested (``.home``, ``.db``, ``.truth``)."""
    return standard_warehouse


@pytest.fixture(scope="session")
def warehouse_home(standard_warehouse: StandardWarehouse) -> StandardWarehouse:
    """The whole warehouse built and tested, subject marts included."""
    return standard_warehouse


@pytest.fixture(scope="session")
def core_db(standard_warehouse: StandardWarehouse) -> Path:
    """Path of the built DuckDB database with the star schema (open it read-only)."""
    return standard_warehouse.db


@pytest.fixture(scope="session")
def marts_home(standard_warehouse: StandardWarehouse) -> Path:
    """The JINGFEN_HOME of the standard warehouse (read-only for the tests)."""
    return standard_warehouse.home


@pytest.fixture
def marts_db(standard_warehouse: StandardWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the built database of the standard warehouse."""
    con = duckdb.connect(str(standard_warehouse.db), read_only=True)
    try:
        yield con
    finally:
        con.close()
