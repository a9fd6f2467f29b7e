## ---- Spark (the scale-out path) -------------------------------------------------------------
# The same dbt project built by dbt-spark in a local Spark session (pyspark 4, Java 17), in its
# own environment (.venv-spark) so the main environment's dbt-duckdb stays untouched. The main
# code drives it through .venv-spark/bin/python (jingfen/spark/). State: $(JINGFEN_HOME)/spark.
SPARK_VENV := .venv-spark

.PHONY: spark-env spark-lock test-spark spark-build

spark-env: uv $(SPARK_VENV)/.synced ## Create .venv-spark (dbt-spark[session], pyspark) from requirements/spark.txt

$(SPARK_VENV)/.synced: requirements/spark.txt
	@test -x $(SPARK_VENV)/bin/python || uv venv --quiet --python 3.11 $(SPARK_VENV)
	VIRTUAL_ENV=$(CURDIR)/$(SPARK_VENV) uv pip sync --quiet requirements/spark.txt
	@command -v java >/dev/null 2>&1 || { echo "spark-env: java not found: Spark needs Java 17 (apt-get install openjdk-17-jre-headless)"; exit 1; }
	@touch $@

spark-lock: uv ## Re-pin requirements/spark.txt from requirements/spark.in
	uv pip compile --python-version 3.11 --quiet --no-header requirements/spark.in -o requirements/spark.txt

spark-build: env spark-env ## Build the warehouse in JINGFEN_HOME on Spark and compare every mart with the DuckDB build
	$(JF) spark build --compare

test-spark: env spark-env ## Build the dbt project on Spark from a small data set; compare every mart with DuckDB
	$(VENV)/bin/pytest -q tests/spark

# `make test` (and CI, which runs it) covers the Spark build too: tests/spark needs .venv-spark.
test-deps:: system-deps spark-env
