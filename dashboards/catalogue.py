"""The report catalogue (报表目录): every dataset and dashboard Superset serves, as specs.

``python -m dashboards generate`` renders these into dashboards/assets/ (Superset's export
layout); ``deploy`` pushes them. To add a dashboard: describe its datasets (marts) and charts
here, add it to :data:`DASHBOARDS`, regenerate, and commit the YAML with the change.

For now the catalogue holds one example, 指标总览 (indicator overview), over
``mart_indicator_values``; the full catalogue of ten dashboards follows once the marts exist.
"""

from __future__ import annotations

from dashboards.generate import (
    ChartSpec,
    ColumnSpec,
    DashboardSpec,
    DatasetSpec,
    FilterSpec,
    Indicator,
    MetricSpec,
    Where,
    indicator_trend_chart,
)

# ---- datasets (one per mart) -----------------------------------------------------------------
MART_INDICATOR_VALUES = DatasetSpec(
    table="mart_indicator_values",
    description_zh="指标值：每个指标、每月、每个区域一行",
    description_en="Indicator values: one row per indicator per month per region",
    columns=(
        ColumnSpec("indicator_code", "VARCHAR", "指标编码", "Indicator code"),
        ColumnSpec("period_month", "DATE", "统计月份", "Month"),
        ColumnSpec("region_level", "VARCHAR", "区域层级", "Region level"),
        ColumnSpec("region_code", "VARCHAR", "区域编码", "Region code"),
        ColumnSpec("prov_code", "VARCHAR", "省份编码", "Province code"),
        ColumnSpec("value", "DOUBLE", "指标值", "Value"),
    ),
    metrics=(MetricSpec("value", "sum(value)", "指标值", "Value (sum)", d3format=",.2f"),),
    main_dttm_col="period_month",
)

# Indicators shown on the example dashboard. Codes must match mart_indicator_values.
EXAMPLE_INDICATORS: tuple[Indicator, ...] = (
    Indicator("arpu", "ARPU", "ARPU", "元", ",.2f"),
    Indicator("net_adds", "净增用户", "Net adds", "户", ",.0f"),
)

# ---- native filters shared by the dashboards ----------------------------------------------
PERIOD = FilterSpec("period", "time", "统计期", "Period")
PROVINCE_OF_INDICATORS = FilterSpec(
    "province", "select", "省份", "Province", dataset=MART_INDICATOR_VALUES, column="prov_code"
)

# ---- dashboards ------------------------------------------------------------------------------
INDICATOR_OVERVIEW = DashboardSpec(
    slug="indicator-overview",
    title_zh="指标总览",
    title_en="Indicator overview",
    description_zh="各省核心指标月度值。",
    description_en="Monthly values of the core indicators by province.",
    charts=(
        *(indicator_trend_chart(ind, MART_INDICATOR_VALUES) for ind in EXAMPLE_INDICATORS),
        ChartSpec(
            key="indicator_values_table",
            title_zh="指标明细（省级）",
            title_en="Indicator values by province",
            dataset=MART_INDICATOR_VALUES,
            kind="table",
            columns=("indicator_code", "period_month", "prov_code", "value"),
            where=(Where("region_level", "==", "province"),),
            order_by=(("indicator_code", True), ("period_month", True), ("prov_code", True)),
            width=12,
        ),
    ),
    filters=(PERIOD, PROVINCE_OF_INDICATORS),
)

DASHBOARDS: tuple[DashboardSpec, ...] = (INDICATOR_OVERVIEW,)
