"""The report catalogue (报表目录): every dataset and dashboard Superset serves, as specs.

``python -m dashboards generate`` renders these into dashboards/assets/ (Superset's export
layout); ``deploy`` pushes them. To add a dashboard: describe its datasets (marts) and charts
here, add it to :data:`DASHBOARDS`, regenerate, and commit the YAML with the change.

Conventions that keep the numbers right:
- Marts with a region hierarchy (``region_level`` national / province / city) are always read at
  one level per chart. Totals read the **province** rows: headquarters (no row-level filter)
  then sees the sum over provinces (= national for sums; ratios come from summed numerators and
  denominators, so they are national too), a province user its own province.
- Metrics come from the indicator catalogue (seeds/indicators.csv): each indicator whose
  ``source_model`` is the dataset's table becomes a metric named by its code (REV_TOTAL),
  with the catalogue's filter folded in (``sum(case when breakdown_type = 'total' ...)``);
  ratios and changes are computed from summed numerators and denominators.
- Drill-down 省 -> 地市: every dashboard has 省份 and 地市 filters; charts "按省" read province
  rows, charts "按地市" city rows, so choosing a province narrows the city charts to its cities.
  Cross-filters are on: clicking a province in a summary table filters the other charts.
- Every dataset has a ``prov_code`` column (row-level security limits it to a province) or is
  总部-only (``audience="hq"``: never granted to province roles).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import cache

from dashboards.generate import (
    ChartSpec,
    ColumnSpec,
    ColumnType,
    DashboardSpec,
    DatasetSpec,
    FilterSpec,
    Indicator,
    MarkdownSpec,
    MetricSpec,
    Where,
)
from jingfen.config import REPO_ROOT
from jingfen.interfaces import INTERFACES

SEEDS = REPO_ROOT / "seeds"
INDICATOR_SEED = SEEDS / "indicators.csv"


# ---- the indicator catalogue -----------------------------------------------------------------
@cache
def indicator_rows() -> tuple[dict[str, str], ...]:
    """seeds/indicators.csv (the same seed dbt builds mart_indicator_values from)."""
    with INDICATOR_SEED.open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


@cache
def indicators() -> dict[str, Indicator]:
    return {
        row["indicator_code"]: Indicator(
            code=row["indicator_code"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            unit_zh=row["unit"],
            d3format=_d3format(row["unit"]),
        )
        for row in indicator_rows()
    }


def _d3format(unit: str) -> str:
    return ",.2f" if unit == "%" or "/" in unit else ",.0f"


def _filtered(column: str, condition: str) -> str:
    return f"case when {condition} then {column} end" if condition else column


def indicator_metrics(table: str) -> tuple[MetricSpec, ...]:
    """Metrics for the catalogue's indicators computed from ``table`` (its ``source_model``).

    sum -> ``sum(value_column)``; ratio -> ``scale * sum(numerator) / sum(denominator)``;
    change -> ``scale * (sum(numerator) - sum(denominator)) / |sum(denominator)|``; indicators
    that are not additive across regions (ARPU 环比, 量效应 ...) are left out: summing them over
    provinces would be wrong."""
    out: list[MetricSpec] = []
    for row in indicator_rows():
        if row["source_model"] != table or row["is_additive"] != "true":
            continue
        cond = row["source_filter"].strip()
        agg, scale = row["aggregation"], row["scale"] or "1"
        num = f"sum({_filtered(row['numerator_column'] or row['value_column'], cond)})"
        den = (
            f"sum({_filtered(row['denominator_column'], cond)})"
            if row["denominator_column"]
            else ""
        )
        if agg == "sum":
            expr = num
        elif agg == "ratio" and den:
            expr = f"{scale} * {num} / nullif({den}, 0)"
        elif agg == "change" and den:
            expr = f"{scale} * ({num} - {den}) / nullif(abs({den}), 0)"
        else:
            continue
        unit = f"（{row['unit']}）" if row["unit"] else ""
        out.append(
            MetricSpec(
                name=row["indicator_code"],
                expression=expr,
                label_zh=f"{row['name_zh']}{unit}",
                label_en=f"{row['name_en']} ({row['indicator_code']})",
                d3format=_d3format(row["unit"]),
            )
        )
    return tuple(out)


# ---- names: what a person reads instead of a code --------------------------------------------
@cache
def _seed(name: str) -> tuple[dict[str, str], ...]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def _pairs(seed: str, code: str, name: str, **where: str) -> dict[str, str]:
    rows = (r for r in _seed(seed) if all(r[k] == v for k, v in where.items()))
    return {r[code]: r[name] for r in rows}


@cache
def names(code_set: str) -> dict[str, str]:
    """Code -> Chinese name for one kind of code, from the seeds (the same the warehouse
    loads): regions, packages, channel types, complaint categories, code_values and
    display_names (the warehouse's own codes: KPIs, alert kinds, bill items ...)."""
    if code_set == "province":
        return _pairs("provinces", "prov_code", "prov_name")
    if code_set == "city":
        return _pairs("regions", "city_code", "city_name")
    if code_set == "region":  # region_code at every level (national '00', 2-digit, 4-digit)
        return {"00": "全国", **names("province"), **names("city")}
    if code_set == "package":
        return _pairs("packages", "package_code", "package_name")
    if code_set == "channel_class":  # the level-1 channel type (10 自有渠道 ...)
        return {**_pairs("channel_types", "level1_code", "level1_name"), "all": "全部渠道"}
    if code_set == "complaint_category":  # l1 (2 digits), l2 (4) and l3 (6) codes
        return {
            "all": "全部类别",
            **_pairs("complaint_categories", "l1_code", "l1_name"),
            **_pairs("complaint_categories", "l2_code", "l2_name"),
            **_pairs("complaint_categories", "category_code", "category_name"),
        }
    if code_set == "interface":
        return {code: i.name_zh for code, i in INTERFACES.items()}
    if code_set in (
        "net_type",
        "customer_type",
        "pay_type",
        "ivr_node",
        "vip_level",
        "work_order_type",
        "department",
        "circuit_type",
    ):
        return _pairs("code_values", "code", "name_zh", code_set=code_set)
    found = _pairs("display_names", "code", "name_zh", code_set=code_set)
    if not found:
        raise ValueError(f"dashboards/catalogue.py: no names for code set {code_set!r}.")
    return found


def _sql_text(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def decode(column: str, code_set: str) -> str:
    """SQL: ``column``'s name (a code without a name stays as it is)."""
    whens = " ".join(f"when {_sql_text(c)} then {_sql_text(n)}" for c, n in names(code_set).items())
    return f"case {column} {whens} else {column} end"


def _decode_by(kind_column: str, value_column: str, code_sets: dict[str, str]) -> str:
    """SQL: ``value_column``'s name, looked up in the code set ``kind_column`` says."""
    whens = " ".join(
        f"when {kind_column} = {_sql_text(kind)} then {decode(value_column, cs)}"
        for kind, cs in code_sets.items()
    )
    return f"case {whens} else {value_column} end"


# Region names come from joins with the region seeds (a dataset whose table lacks them reads
# it through a SELECT that adds them, :func:`dataset`): a CASE over 300-odd cities would cost
# Superset's SQL parser about 150 ms on every query. name -> (its code, the join, its SQL).
GEO_JOINS: dict[str, tuple[str, str, str]] = {
    "prov_name": (
        "prov_code",
        "left join main.provinces as p on p.prov_code = t.prov_code",
        "p.prov_name",
    ),
    "city_name": (
        "city_code",
        "left join (select distinct city_code, city_name from main.regions) as c"
        " on c.city_code = t.city_code",
        "c.city_name",
    ),
    "region_name": (  # region codes are unique across levels: '00', 2 digits, 4 digits
        "region_code",
        "left join (select '00' as region_code, '全国' as region_name"
        " union all select prov_code, prov_name from main.provinces"
        " union all select distinct city_code, city_name from main.regions) as r"
        " on r.region_code = t.region_code",
        "coalesce(r.region_name, t.region_code)",  # a cell keeps its id
    ),
}
GEO_NAMES = tuple(GEO_JOINS)

_KPI_PART_1, _KPI_PART_2 = "split_part(kpi_code, ':', 1)", "split_part(kpi_code, ':', 2)"

# Calculated name columns for short code lists: name -> (the code columns it needs, its SQL).
# A dataset gets those of its ``name_columns`` (:func:`dataset`); charts and filters use the
# names, row-level security and joins stay on the codes.
NAME_COLUMNS: dict[str, tuple[tuple[str, ...], str]] = {
    "region_level_name": (("region_level",), decode("region_level", "region_level")),
    "package_name": (("package_code",), decode("package_code", "package")),
    "breakdown_name": (
        ("breakdown_type", "breakdown_value"),
        _decode_by(
            "breakdown_type",
            "breakdown_value",
            {
                "bill_item": "bill_item",
                "package": "package",
                "net_type": "net_type",
                "channel_type": "channel_class",
                "cust_type": "customer_type",
                "pay_type": "pay_type",
            },
        ),
    ),
    "channel_type_name": (("channel_type",), decode("channel_type", "channel_class")),
    "category_name": (("category_code",), decode("category_code", "complaint_category")),
    "kpi_name": (("kpi_code",), decode("kpi_code", "daily_kpi")),
    # an alert's KPI may carry what it is about: complaints_01 (category), hotline_calls_21
    # (IVR node), arpu_yuan:P4G099 (package), circuit_availability_pct:KC4400000016 (circuit)
    "alert_kpi_name": (
        ("kpi_code",),
        "case"
        " when left(kpi_code, 11) = 'complaints_' then"
        f" '投诉工单：' || {decode('substr(kpi_code, 12)', 'complaint_category')}"
        " when left(kpi_code, 14) = 'hotline_calls_' then"
        f" '热线来话：' || {decode('substr(kpi_code, 15)', 'ivr_node')}"
        " when strpos(kpi_code, ':') > 0 then"
        f" {decode(_KPI_PART_1, 'daily_kpi')} || '：' || {decode(_KPI_PART_2, 'package')}"
        f" else {decode('kpi_code', 'daily_kpi')} end",
    ),
    "alert_kind_name": (("alert_kind",), decode("alert_kind", "alert_kind")),
    "alert_source_name": (("alert_source",), decode("alert_source", "alert_source")),
    "reason_1_name": (("reason_1_code",), decode("reason_1_code", "churn_reason")),
    "interface_name": (("interface",), decode("interface", "interface")),
    "load_status_name": (("status",), decode("status", "load_status")),
    # customer service: the tier ('all' = every tier), a work order's breakdown, a circuit's type
    "vip_level_name": (
        ("vip_level",),
        f"case when vip_level = 'all' then '全部客户' else {decode('vip_level', 'vip_level')} end",
    ),
    "work_order_breakdown_name": (
        ("breakdown", "breakdown_value"),
        "case when breakdown = 'total' then '全部工单' else "
        + _decode_by(
            "breakdown",
            "breakdown_value",
            {"order_type": "work_order_type", "department": "department", "vip_level": "vip_level"},
        )
        + " end",
    ),
    "circuit_type_name": (("circuit_type",), decode("circuit_type", "circuit_type")),
}


# ---- columns: one label per column name across the marts ------------------------------------
LABELS: dict[str, tuple[str, str]] = {
    # indicator dictionary (指标字典)
    "entry_kind": ("类别", "Kind"),
    "formula": ("口径", "Definition"),
    "owner": ("归口部门", "Owner"),
    "source_model": ("来源数据表", "Source mart"),
    "report_title_zh": ("报表", "Report"),
    "chart_title_zh": ("图表", "Chart"),
    "report_link": ("打开报表", "Open the report"),
    "search_text": ("检索文本", "Search text"),
    # keys and regions
    "period_month": ("统计月份", "Month"),
    "stat_date": ("统计日期", "Day"),
    "score_month": ("评分月份", "Scored month"),
    "region_level": ("区域层级编码", "Region level code"),
    "region_code": ("区域编码", "Region code"),
    "region_name": ("地区", "Region"),
    "region_level_name": ("区域层级", "Region level"),
    # top-N names (:func:`dataset` ``top``): the largest TOP_N by name, the rest as one 其他
    "region_name_top": ("地区", "Region (top 15, the rest as 其他)"),
    "city_name_top": ("地市", "City (top 15, the rest as 其他)"),
    "prov_code": ("省份编码", "Province code"),
    "prov_name": ("省份", "Province"),
    "city_code": ("地市编码", "City code"),
    "city_name": ("地市", "City"),
    "county_code": ("区县编码", "County code"),
    "county_name": ("区县", "County"),
    "period": ("统计期", "Period"),
    "period_grain": ("统计粒度", "Period grain"),
    # indicator values
    "indicator_code": ("指标编码", "Indicator code"),
    "value": ("指标值", "Value"),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "scale": ("倍数", "Scale"),
    "is_additive": ("可加总", "Additive over regions"),
    "unit": ("单位", "Unit"),
    "name_zh": ("指标名称", "Indicator (Chinese)"),
    "name_en": ("指标名称（英文）", "Indicator (English)"),
    "domain": ("专题", "Domain"),
    "level": ("指标层级", "Indicator level"),
    # benchmark (对标) and the China map
    "prov_iso_code": ("省份ISO编码", "Province ISO 3166-2 code"),
    "province_value": ("本省值", "Province value"),
    "rank_among_provinces": ("全国排名", "Rank among provinces"),
    "provinces_ranked": ("参与排名省份数", "Provinces ranked"),
    "rank_basis_zh": ("排名规则", "Ranking basis"),
    # revenue
    "revenue_yuan": ("出账收入（元）", "Billed revenue (yuan)"),
    "revenue_yuan_last_month": ("上月收入（元）", "Revenue last month"),
    "revenue_yuan_mom_pct": ("收入环比（%）", "Revenue MoM %"),
    "revenue_yuan_yoy_pct": ("收入同比（%）", "Revenue YoY %"),
    "revenue_change_yuan": ("收入变动（元）", "Revenue change"),
    "arpu_yuan": ("ARPU（元/户）", "ARPU (yuan)"),
    "arpu_yuan_mom_pct": ("ARPU环比（%）", "ARPU MoM %"),
    "billed_subs": ("出账用户数", "Billed subscribers"),
    "avg_subs": ("平均在网用户数", "Average subscribers"),
    "share_pct": ("占比（%）", "Share %"),
    "breakdown_type": ("分析维度", "Breakdown"),
    "breakdown_value": ("维度值编码", "Breakdown value (code)"),
    "breakdown_name": ("维度值", "Breakdown value"),
    "is_revenue_dip": ("收入骤降", "Revenue dip"),
    "is_arpu_spike": ("ARPU突增", "ARPU spike"),
    "volume_effect_yuan": ("量效应（元）", "Volume effect"),
    "price_effect_yuan": ("价效应（元）", "Price effect"),
    "mou": ("MOU（分钟/户）", "MOU"),
    "dou_gb": ("DOU（GB/户）", "DOU (GB)"),
    "voice_unit_price_yuan_per_min": ("语音单价（元/分钟）", "Voice unit price"),
    "data_unit_price_yuan_per_gb": ("流量单价（元/GB）", "Data unit price"),
    # payments
    "due_yuan": ("应收（元）", "Due"),
    "collected_yuan": ("实收（元）", "Collected"),
    "collection_rate_pct": ("收费率（%）", "Collection rate %"),
    "arrears_yuan": ("欠费（元）", "Arrears"),
    "age_band": ("账龄", "Arrears age"),
    # subscribers
    "opening_subs": ("期初在网", "Opening subscribers"),
    "new_subs": ("新增用户", "New subscribers"),
    "churned_subs": ("离网用户", "Churned subscribers"),
    "migration_in_subs": ("迁入", "Migrated in"),
    "migration_out_subs": ("迁出", "Migrated out"),
    "closing_subs": ("期末在网", "Closing subscribers"),
    "net_adds": ("净增", "Net adds"),
    "churn_rate_pct": ("离网率（%）", "Churn rate %"),
    "step": ("环节", "Step"),
    "amount": ("数值", "Amount"),
    "is_latest_month": ("最新月份", "Latest month"),
    # churn scores and retention
    "subs_id": ("用户标识", "Subscriber id"),
    "msisdn_masked": ("号码（脱敏）", "Number (masked)"),
    "pay_type": ("付费类型", "Pay type"),
    "net_type": ("网络类型", "Network"),
    "package_code": ("套餐编码", "Package code"),
    "package_name": ("套餐", "Package"),
    "arpu_band": ("ARPU档", "ARPU band"),
    "p_churn": ("流失概率", "Churn probability"),
    "risk_decile": ("风险十分位", "Risk decile"),
    "value_at_risk_yuan": ("风险收入（元）", "Value at risk"),
    "rank_in_province": ("省内排名", "Rank in province"),
    "reason_1_code": ("主要原因编码", "Main reason (code)"),
    "reason_1_name": ("主要原因类别", "Main reason"),
    "reason_1_zh": ("主要原因", "Main reason"),
    "reason_2_zh": ("原因二", "Second reason"),
    "reason_3_zh": ("原因三", "Third reason"),
    "action_zh": ("建议挽留动作", "Suggested action"),
    "model_version": ("模型版本", "Model version"),
    "variable": ("监控变量", "Variable"),
    "psi": ("PSI", "Population stability index"),
    "status": ("状态编码", "Status code"),
    "load_status_name": ("加载结果", "Load status"),
    # channels
    "channel_id": ("渠道标识", "Channel id"),
    "channel_name": ("渠道名称", "Channel"),
    "channel_type": ("渠道类型编码", "Channel type code"),
    "channel_type_name": ("渠道类型", "Channel type"),
    "level1_name": ("渠道大类", "Channel class"),
    "grade": ("评级", "Grade"),
    "score": ("得分", "Score"),
    "rank_in_period": ("排名", "Rank"),
    "cluster": ("聚类", "Cluster"),
    "is_fraud_flagged": ("养卡嫌疑", "Fraud flag"),
    "commission_yuan": ("酬金（元）", "Commission"),
    "acquired_revenue_yuan": ("发展用户收入（元）", "Revenue of acquired subscribers"),
    "commission_to_revenue": ("酬金收入比", "Commission / revenue"),
    "survival_m3": ("3月留存率", "3-month survival"),
    "zero_usage_rate": ("零使用率", "Zero-usage rate"),
    "early_churn_rate": ("早期离网率", "Early churn rate"),
    "robust_z": ("稳健Z值", "Robust z"),
    "reason_zh": ("原因", "Reason"),
    "channels": ("渠道数", "Channels"),
    "risk_channels": ("风险渠道数", "Risk channels"),
    # complaints
    "category_level": ("类别层级", "Category level"),
    "category_code": ("投诉类别编码", "Category code"),
    "category_name": ("投诉类别", "Category"),
    "category_l1_code": ("一级类别编码", "Category code (level 1)"),
    "category_l1_name": ("投诉类别", "Category"),
    "tickets": ("投诉工单", "Tickets"),
    "subs_in_service": ("在网用户", "Subscribers in service"),
    "complaints_per_10k": ("万户投诉率", "Complaints per 10k"),
    "window_tickets": ("近3日工单", "Tickets in window"),
    "expected_tickets": ("预期工单", "Expected tickets"),
    "hotspot_score": ("热点得分", "Hot-spot score"),
    # customer service (客服中心, 服务质量, 集团客户SLA)
    "vip_level": ("客户星级编码", "Customer tier code"),
    "vip_level_name": ("客户星级", "Customer tier"),
    "calls": ("呼入量", "Calls"),
    "offered_calls": ("人工呼入量", "Calls offered to agents"),
    "answered_calls": ("人工接通量", "Calls answered"),
    "answered_in_time_calls": ("15秒内接通量", "Answered within 15 s"),
    "abandoned_calls": ("呼损量", "Calls abandoned"),
    "answered_pct": ("人工接通率（%）", "Answer rate %"),
    "answer_15s_pct": ("15秒接通率（%）", "Answered within 15 s %"),
    "abandon_pct": ("呼损率（%）", "Abandonment %"),
    "aht_seconds": ("平均处理时长（秒）", "Average handling time (s)"),
    "self_service_pct": ("IVR自助服务率（%）", "IVR self-service %"),
    "occupancy_pct": ("坐席利用率（%）", "Agent occupancy %"),
    "answered_target_pct": ("接通率目标（%）", "Answer-rate target %"),
    "answer_15s_target_pct": ("15秒接通率目标（%）", "15-second target %"),
    "abandon_max_pct": ("呼损率上限（%）", "Abandonment ceiling %"),
    "agents_on_duty": ("在岗坐席数", "Agents on duty"),
    "handle_seconds": ("处理时长（秒）", "Handling seconds"),
    "staffed_seconds": ("签入时长（秒）", "Logged-in seconds"),
    "break_seconds": ("示忙时长（秒）", "Break seconds"),
    "available_seconds": ("可用时长（秒）", "Available seconds"),
    "ivr_node": ("IVR话题编码", "IVR topic code"),
    "ivr_node_name": ("IVR话题", "IVR topic"),
    "window_calls": ("近3天来话", "Calls in the 3-day window"),
    "expected_calls": ("预期来话", "Expected calls"),
    "breakdown": ("分析维度编码", "Breakdown code"),
    "work_order_breakdown_name": ("维度值", "Breakdown value"),
    "subscribers": ("月末在网用户数", "Subscribers in service"),
    "orders": ("工单量", "Work orders"),
    "closed_orders": ("归档工单", "Closed orders"),
    "within_limit_orders": ("时限内归档", "Closed within limit"),
    "overdue_orders": ("超时工单", "Overdue orders"),
    "reopened_orders": ("重派工单", "Reopened orders"),
    "complaint_orders": ("投诉工单", "Complaint orders"),
    "repeat_complaint_orders": ("重复投诉工单", "Repeat complaint orders"),
    "callbacks": ("回访量", "Callbacks"),
    "satisfied_callbacks": ("回访满意量", "Satisfied callbacks"),
    "appeals": ("申诉量", "Appeals"),
    "within_limit_pct": ("及时处理率（%）", "Closed within limit %"),
    "reopen_pct": ("重派率（%）", "Reopen rate %"),
    "repeat_complaint_pct": ("重复投诉率（%）", "Repeat complaint rate %"),
    "satisfaction_pct": ("回访满意率（%）", "Callback satisfaction %"),
    "avg_handling_hours": ("平均处理时长（小时）", "Average handling hours"),
    "appeals_per_million_subs": ("百万用户申诉率", "Appeals per million subscribers"),
    "circuit_id": ("电路编号", "Circuit"),
    "group_cust_id": ("集团客户编号", "Key account"),
    "cust_name_masked": ("集团客户名称（脱敏）", "Key account name (masked)"),
    "circuit_type": ("电路类型编码", "Circuit type code"),
    "circuit_type_name": ("电路类型", "Circuit type"),
    "bandwidth_mbps": ("带宽（Mbit/s）", "Bandwidth (Mbit/s)"),
    "sla_availability_pct": ("合同可用率（%）", "Contracted availability %"),
    "availability_pct": ("实际可用率（%）", "Availability %"),
    "sla_restore_minutes": ("合同恢复时限（分钟）", "Contracted restoration (min)"),
    "max_restore_minutes": ("最长故障恢复时长（分钟）", "Longest restoration (min)"),
    "fault_cnt": ("故障次数", "Faults"),
    "outage_minutes": ("中断时长（分钟）", "Outage minutes"),
    "days_reported": ("统计天数", "Days reported"),
    "is_sla_breach": ("SLA违约", "SLA breach"),
    "circuits": ("电路数", "Circuits"),
    "breached_circuits": ("违约电路数", "Circuits in breach"),
    "availability_breaches": ("可用率违约电路", "Availability breaches"),
    "restore_breaches": ("恢复时限违约电路", "Restoration breaches"),
    "worst_circuit_availability_pct": ("最差电路可用率（%）", "Worst circuit availability %"),
    "is_hotspot": ("是否热点", "Hot spot"),
    # daily monitoring
    "kpi_code": ("KPI编码", "KPI code"),
    "kpi_name": ("KPI", "KPI"),
    "alert_kpi_name": ("告警指标", "Alert KPI"),
    "kpi_value": ("KPI值", "KPI value"),
    "dod_pct": ("较前日（%）", "Day-on-day %"),
    "wow_pct": ("较上周同日（%）", "Week-on-week %"),
    "baseline_mean": ("基线均值", "Baseline mean"),
    "z_score": ("Z值", "z-score"),
    "is_anomaly": ("异常", "Anomaly"),
    "is_target_breach": ("未达标", "Target breach"),
    "alert_source": ("告警来源编码", "Alert source code"),
    "alert_kind": ("告警类型编码", "Alert kind code"),
    "alert_source_name": ("告警来源", "Alert source"),
    "alert_kind_name": ("告警类型", "Alert kind"),
    "cell_id": ("小区", "Cell"),
    "start_date": ("开始日期", "Start"),
    "end_date": ("结束日期", "End"),
    "baseline_value": ("基线值", "Baseline"),
    # HQ submissions
    "status_zh": ("上报状态", "Status (Chinese)"),
    "status_order": ("状态排序", "Status order"),
    "current_package": ("当前数据包", "Current package"),
    "last_reasons": ("退回原因", "Rejection reasons"),
    "versions": ("版本数", "Versions"),
    "rejected_versions": ("退回次数", "Rejected versions"),
    "due_at": ("截止时间", "Due at"),
    "current_delivered_at": ("送达时间", "Delivered at"),
    "indicator_name_zh": ("指标名称", "Indicator"),
    "deviation_status": ("核对结果", "Check result"),
    "uploaded_value": ("上报值", "Uploaded value"),
    "central_value": ("集中计算值", "Central value"),
    "deviation": ("偏差", "Deviation"),
    "deviation_pct": ("偏差（%）", "Deviation %"),
    "national_value": ("全国汇总值", "National value"),
    "provinces_reported": ("已报省份", "Provinces reported"),
    "provinces_expected": ("应报省份", "Provinces expected"),
    "is_complete": ("是否齐全", "Complete"),
    "aggregation": ("汇总方式", "Aggregation"),
    # load audit
    "load_id": ("批次", "Load id"),
    "file_name": ("文件", "File"),
    "interface": ("接口编码", "Interface code"),
    "interface_name": ("接口", "Interface"),
    "reason_code": ("原因编码", "Reason code"),
    "reason": ("原因", "Reason"),
    "records_declared": ("声明记录数", "Records declared"),
    "records_loaded": ("入库记录数", "Records loaded"),
    "records_rejected": ("拒绝记录数", "Records rejected"),
    "started_at": ("开始时间", "Started at"),
    "finished_at": ("完成时间", "Finished at"),
    "line_no": ("行号", "Line"),
    "rule": ("规则", "Rule"),
    "column_name": ("字段", "Column"),
    "message": ("说明", "Message"),
    # month-end commentary (月末经营述评)
    "month_label": ("月份", "Month"),
    "sentence_no": ("序号", "Sentence"),
    "topic_zh": ("主题", "Topic"),
    "sentence": ("述评", "Commentary"),
}

_DATES = {"period_month", "stat_date", "score_month", "start_date", "end_date"}
_NUMBERS_SUFFIX = (
    "_yuan", "_pct", "_subs", "_rate", "_10k", "_score", "_value", "_tickets", "_days", "_decile",
    "_province", "_period", "_z", "_m3", "_revenue", "_gb", "_per_min", "_per_gb", "_no",
)  # fmt: skip
_NUMBERS = {
    "value", "numerator", "denominator", "scale", "mou", "score", "p_churn", "psi", "tickets", "channels",
    "amount", "cluster", "versions", "deviation", "subs_in_service", "kpi_value", "z_score",
    "baseline_mean", "provinces_reported", "provinces_expected", "status_order", "records_loaded",
    "records_rejected", "records_declared", "risk_channels", "new_subs", "billed_subs",
    "avg_subs", "net_adds",
}  # fmt: skip


_TEXTS = {"breakdown_value", "segment_value", "category_code", "category_l1_code"}
# Counts (people, tickets, channels, files, ranks): printed whole, never "3.00".
_COUNTS = {
    "new_subs", "churned_subs", "opening_subs", "closing_subs", "migration_in_subs",
    "migration_out_subs", "net_adds", "billed_subs", "subs_in_service", "tickets",
    "window_tickets", "channels", "risk_channels", "rank_in_province", "rank_in_period",
    "risk_decile", "versions", "rejected_versions", "provinces_reported", "provinces_expected",
    "records_declared", "records_loaded", "records_rejected", "line_no", "cluster", "status_order",
    "calls", "offered_calls", "answered_calls", "answered_in_time_calls", "abandoned_calls",
    "agents_on_duty", "window_calls", "subscribers", "orders", "closed_orders",
    "within_limit_orders", "overdue_orders", "reopened_orders", "complaint_orders",
    "repeat_complaint_orders", "callbacks", "satisfied_callbacks", "appeals", "fault_cnt",
    "outage_minutes", "days_reported", "circuits", "breached_circuits", "availability_breaches",
    "restore_breaches", "bandwidth_mbps", "sla_restore_minutes", "max_restore_minutes",
    "rank_among_provinces", "provinces_ranked",
}  # fmt: skip
# Values of indicators of any unit in one column (counts, 元, rates): up to two decimals,
# trailing zeros dropped, so a count reads 20,544 and a rate 3.57.
_MIXED = {
    "expected_calls", "expected_tickets",
    "value", "numerator", "denominator", "uploaded_value", "central_value", "national_value",
    "deviation", "kpi_value", "baseline_value", "baseline_mean", "amount",
}  # fmt: skip


def _format(name: str) -> str | None:
    if name in _COUNTS:
        return ",d"
    if name in _MIXED:
        return ",.2~f"
    if name.startswith("p_"):
        return ".1%"
    return None


def _type(name: str) -> ColumnType:
    if name in _TEXTS:
        return "VARCHAR"
    if name in _COUNTS:
        return "BIGINT"
    if name in _DATES:
        return "DATE"
    if name.endswith("_at"):
        return "TIMESTAMP"
    if name.startswith(("is_", "has_")):
        return "BOOLEAN"
    if name in _NUMBERS or name.endswith(_NUMBERS_SUFFIX):
        return "DOUBLE"
    return "VARCHAR"


def dataset(
    table: str,
    zh: str,
    en: str,
    columns: str,
    *,
    time: str | None = "period_month",
    extra_metrics: tuple[MetricSpec, ...] = (),
    schema: str = "main",
    sql: str | None = None,
    audience: str = "all",
    catalogue_table: str | None = None,
    reference: bool = False,
    name_columns: str = "",
    top: tuple[str, str, str] | None = None,
) -> DatasetSpec:
    """A dataset whose columns take their labels from :data:`LABELS` and whose metrics come
    from the indicator catalogue (``catalogue_table``: the mart a virtual dataset reads).

    The province, city and region names are added wherever their codes are and the table
    lacks them (:data:`GEO_JOINS`: the dataset becomes a SELECT over the table that joins the
    region seeds; the 省份 / 地市 filters select by these names), and the names of
    ``name_columns`` as calculated columns (:data:`NAME_COLUMNS`).

    ``top`` = (name column, its code columns, measure): adds ``<name>_top``, the name for the
    :data:`TOP_N` largest by the measure in the latest period and :data:`OTHERS` for the rest
    (:func:`_with_top`), so a chart of 300 cities shows 15 bars and one 其他 that sums the rest."""
    physical = columns.split()
    geo = [n for n in GEO_NAMES if n not in physical and GEO_JOINS[n][0] in physical]
    if geo:
        src = f"({sql})" if sql else f"{schema}.{table}"
        sql = (
            f"select t.*, {', '.join(f'{GEO_JOINS[n][2]} as {n}' for n in geo)} from {src} as t "
            + " ".join(GEO_JOINS[n][1] for n in geo)
        )
        physical = [*physical, *geo]
    calculated = [
        n
        for n in name_columns.split()
        if n not in physical and set(NAME_COLUMNS[n][0]) <= set(physical)
    ]
    if top is not None:
        name, keys, measure = top
        sql = _with_top(sql or f"select * from {schema}.{table}", f"{schema}.{table}", name,
                        tuple(keys.split()), measure, time)  # fmt: skip
        physical = [*physical, f"{name}_top"]
    missing = [n for n in (*physical, *calculated) if n not in LABELS]
    if missing:
        raise ValueError(f"dashboards/catalogue.py: no label for columns {missing} of {table}.")
    unknown = [n for n in name_columns.split() if n not in calculated and n not in physical]
    if unknown:
        raise ValueError(f"dashboards/catalogue.py: {table} lacks the codes of {unknown}.")
    return DatasetSpec(
        table=table,
        description_zh=zh,
        description_en=en,
        columns=(
            *(ColumnSpec(n, _type(n), *LABELS[n], d3format=_format(n)) for n in physical),
            *(
                ColumnSpec(n, "VARCHAR", *LABELS[n], expression=NAME_COLUMNS[n][1])
                for n in calculated
            ),
        ),
        metrics=(*indicator_metrics(catalogue_table or table), *extra_metrics),
        main_dttm_col=time,
        schema=schema,
        sql=sql,
        audience=audience,  # type: ignore[arg-type]
        reference=reference,
    )


TOP_N = 15
OTHERS = "其他"


def _with_top(
    sql: str, table: str, name: str, keys: tuple[str, ...], measure: str, time: str | None
) -> str:
    """``sql`` with ``<name>_top``: ``name`` where its ``keys`` rank among the first
    :data:`TOP_N` by the sum of ``measure`` in the table's latest period (ties by key; ranked
    within each region level when the table has one), else :data:`OTHERS`.

    The rank is fixed per dataset row, not per chart: a category is either named or 其他 in
    every month, so merged categories add up to the whole in any period. Superset applies the
    user's row-level security to ``table`` inside this SQL too (virtual datasets, Superset 6.1),
    so a province ranks its own cities and a city user its own city."""
    part = "region_level" if "region_level" in keys else None
    latest = f" where {time} = (select max({time}) from {table})" if time else ""
    order = ", ".join(keys)
    over = f"{'partition by ' + part + ' ' if part else ''}order by sum({measure}) desc, {order}"
    on = " and ".join(f"k.{c} = v.{c}" for c in keys)
    return (
        f"select v.*, case when k.top_rank <= {TOP_N} then v.{name} else '{OTHERS}' end"
        f" as {name}_top from ({sql}) as v left join (select {order},"
        f" row_number() over ({over}) as top_rank from {table}{latest} group by {order}) as k"
        f" on {on}"
    )


def m(name: str, expression: str, zh: str, en: str, fmt: str | None = ",.0f") -> MetricSpec:
    return MetricSpec(name, expression, zh, en, d3format=fmt)


REGION = "period_month region_level region_code prov_code"

# The value of one indicator over a set of rows of mart_indicator_values (one indicator per group).
INDICATOR_VALUE_SQL = (
    "case"
    " when count(*) = 0 or min(aggregation) <> max(aggregation) then null"
    " when max(aggregation) = 'sum' then sum(value)"
    " when count(*) > 1 and not bool_and(is_additive) then null"
    " when max(aggregation) = 'ratio'"
    " then max(scale) * sum(numerator) / nullif(sum(denominator), 0)"
    " when max(aggregation) = 'change'"
    " then case when count(numerator) > count(denominator) then null"
    " else max(scale) * (sum(numerator) - sum(denominator)) / nullif(abs(sum(denominator)), 0)"
    " end"
    " when count(*) = 1 then max(value)"
    " end"
)

# ---- datasets --------------------------------------------------------------------------------
MART_INDICATOR_VALUES = dataset(
    "mart_indicator_values",
    "指标值：每个指标、每月（日）、每个区域一行",
    "Indicator values: one row per indicator per period per region",
    "indicator_code period_grain period_month stat_date region_level region_code prov_code value "
    "numerator denominator unit aggregation scale is_additive name_zh name_en domain level",
    extra_metrics=(
        m("value", "sum(value)", "指标值", "Value (sum)", ",.2f"),
        # The indicator's value over whatever regions the chart and row-level security select,
        # by its aggregation (docs/warehouse.md "National of a rate"): sums summed; ratios and
        # changes recomputed from the summed numerators and denominators (NULL when a base is
        # missing); a non-additive value only for a single region. Never a sum of rates.
        m("indicator_value", INDICATOR_VALUE_SQL, "指标值", "Indicator value", ",.2f"),
    ),
)
# 对标: a province's own value, the national value and its rank, never another province's value
# (marts/indicators/mart_indicator_benchmark.sql), so row-level security on prov_code suffices.
MART_INDICATOR_BENCHMARK = dataset(
    "mart_indicator_benchmark",
    "对标：每个L0指标、每月、每省一行（本省值、全国值、全国排名）",
    "Benchmark: one row per L0 indicator per month per province (own value, national, rank)",
    "indicator_code period_month prov_code indicator_name_zh unit rank_basis_zh prov_name "
    "prov_iso_code province_value national_value rank_among_provinces provinces_ranked",
    extra_metrics=(
        m("province_value", "sum(province_value)", "本省值", "Province value (sum)"),
        # the two lines of a benchmark trend (:func:`benchmark_trend`): the national value (the
        # same on every province's row), and the province's own value when the rows are of one
        # province (a province user's, or the province headquarters chose), else no line
        m("national_line", "avg(national_value)", "全国", "National", ",.2f"),
        m(
            "province_line",
            "case when count(distinct prov_code) = 1 then max(province_value) end",
            "本省（所选省份）",
            "The province (the one chosen)",
            ",.2f",
        ),
    ),
)
MART_REVENUE_REGION = dataset(
    "mart_revenue_region_month",
    "收入：每月每个区域一行（按账单项、ARPU、同比环比）",
    "Revenue by region and month",
    f"{REGION} region_name revenue_yuan revenue_yuan_mom_pct revenue_yuan_yoy_pct arpu_yuan "
    "billed_subs avg_subs is_revenue_dip",
    top=("region_name", "region_level region_code", "revenue_yuan"),
    extra_metrics=(
        # A ranking shows one month, the tiles' month: the latest of the chosen period (each
        # region has one row per month, so arg_max is that month's revenue).
        m(
            "revenue_latest_month",
            "arg_max(revenue_yuan, period_month)",
            "出账收入（统计期最新月，元）",
            "Billed revenue, latest month of the period (yuan)",
        ),
        # the same over a merged category (其他: many regions, one row each per month): the
        # sum of the rows of the group's latest month
        m(
            "revenue_latest_month_total",
            "list_sum([r.v for r in list({'m': period_month, 'v': revenue_yuan})"
            " if r.m = max(period_month)])",
            "出账收入（统计期最新月，元）",
            "Billed revenue, latest month of the period (yuan)",
        ),
    ),
)
MART_REVENUE_STRUCTURE = dataset(
    "mart_revenue_structure_month",
    "收入结构：每月每个区域每个维度值一行（账单项/套餐/网络/付费类型/客户类型）",
    "Revenue structure by bill item, package, network, pay type, customer type",
    f"{REGION} breakdown_type breakdown_value revenue_yuan billed_subs avg_subs arpu_yuan "
    "share_pct revenue_yuan_mom_pct is_arpu_spike",
    name_columns="breakdown_name",
    extra_metrics=(
        m("revenue", "sum(revenue_yuan)", "收入（元）", "Revenue (yuan)"),
        m("arpu", "sum(revenue_yuan) / nullif(sum(avg_subs), 0)", "ARPU（元/户）", "ARPU", ",.2f"),
    ),
)
MART_PAYMENT = dataset(
    "mart_payment_month",
    "缴费与欠费：每月每个区域一行",
    "Payments, collection rate and arrears by region and month",
    f"{REGION} due_yuan collected_yuan collection_rate_pct arrears_yuan",
)
RPT_ARREARS_AGEING = dataset(
    "rpt_arrears_ageing",
    "欠费账龄：每月每个区域每个账龄段一行（由 mart_payment_month 展开）",
    "Arrears by age band (unpivoted mart_payment_month)",
    f"{REGION} age_band arrears_yuan",
    extra_metrics=(m("arrears", "sum(arrears_yuan)", "欠费（元）", "Arrears (yuan)"),),
)
MART_DEVELOPMENT = dataset(
    "mart_development_month",
    "用户发展：每月每个区域每个维度值一行（期初、新增、离网、迁移、期末）",
    "Subscriber development by region, month and breakdown",
    f"{REGION} breakdown_type breakdown_value opening_subs new_subs churned_subs "
    "migration_in_subs migration_out_subs closing_subs net_adds churn_rate_pct",
    name_columns="breakdown_name",
    extra_metrics=(
        m("dev_new_subs", "sum(new_subs)", "新增用户", "New subscribers"),
        m("dev_churned_subs", "sum(churned_subs)", "离网用户", "Churned subscribers"),
        m("dev_closing_subs", "sum(closing_subs)", "期末在网", "Closing subscribers"),
        m(
            "dev_churn_rate",
            "100.0 * sum(churned_subs) / nullif(sum(opening_subs), 0)",
            "离网率（%）",
            "Churn rate %",
            ",.2f",
        ),
    ),
)
MART_BUSINESS_REVIEW = dataset(
    "mart_business_review_month",
    "经营盘点：每月每个区域一行（收入变动的量价分解、用户瀑布、单价）",
    "Business review: revenue bridge (volume/price), subscriber waterfall, unit prices",
    f"{REGION} revenue_yuan revenue_yuan_last_month revenue_change_yuan volume_effect_yuan "
    "price_effect_yuan avg_subs arpu_yuan opening_subs new_subs churned_subs closing_subs "
    "net_adds mou dou_gb voice_unit_price_yuan_per_min data_unit_price_yuan_per_gb",
    extra_metrics=(
        m("volume_effect", "sum(volume_effect_yuan)", "量效应（元）", "Volume effect"),
        m("price_effect", "sum(price_effect_yuan)", "价效应（元）", "Price effect"),
        m("revenue", "sum(revenue_yuan)", "出账收入（元）", "Revenue"),
    ),
)
RPT_SUBSCRIBER_WATERFALL = dataset(
    "rpt_subscriber_waterfall",
    "用户瀑布：期初 + 新增 - 离网 ± 迁移 = 期末（由 mart_business_review_month 展开）",
    "Subscriber waterfall steps (opening + new - churned +/- migration = closing)",
    f"{REGION} is_latest_month step amount",
    extra_metrics=(m("amount", "sum(amount)", "用户数", "Subscribers"),),
)
RPT_REVENUE_BRIDGE = dataset(
    "rpt_revenue_bridge",
    "收入桥：上月收入 + 量效应 + 价效应 = 本月收入（由 mart_business_review_month 展开）",
    "Revenue bridge: last month + volume effect + price effect = this month",
    f"{REGION} is_latest_month step amount",
    extra_metrics=(m("amount", "sum(amount)", "金额（元）", "Amount (yuan)"),),
)
RPT_MONTH_COMMENTARY = dataset(
    "rpt_month_commentary",
    "月末经营述评：每月每个区域（全国、各省、各地市）每句一行（收入量价、用户、ARPU、区域与套餐贡献）",
    "Month-end commentary: one row per month, region (national, province, city) and sentence",
    f"{REGION} region_name month_label is_latest_month sentence_no topic_zh sentence",
)
MART_CHURN_SCORES = dataset(
    "mart_churn_scores",
    "流失评分：每个被评分用户每月一行（概率、风险十分位、原因）",
    "Churn scores: one row per scored subscriber per month",
    "score_month prov_code prov_name city_code city_name county_code county_name pay_type net_type "
    "package_code arpu_band p_churn risk_decile arpu_yuan value_at_risk_yuan reason_1_code "
    "reason_1_zh model_version",
    time="score_month",
    name_columns="reason_1_name package_name",
    top=("city_name", "city_code", "value_at_risk_yuan"),
    extra_metrics=(
        m("scored_subs", "count(*)", "评分用户数", "Scored subscribers"),
        m("mean_p_churn", "avg(p_churn)", "平均流失概率", "Mean churn probability", ".2%"),
        m("value_at_risk", "sum(value_at_risk_yuan)", "风险收入（元）", "Value at risk"),
        m(
            "high_risk_subs",
            "count(case when risk_decile = 1 then 1 end)",
            "高风险用户数（前10%）",
            "High-risk subscribers (top decile)",
        ),
    ),
)
MART_RETENTION_CANDIDATES = dataset(
    "mart_retention_candidates",
    "挽留名单：最新评分月在网用户一行（脱敏号码、风险、价值、原因、建议动作）",
    "Retention candidates of the latest scored month",
    "score_month prov_code prov_name city_code city_name msisdn_masked pay_type package_code p_churn "
    "risk_decile arpu_yuan value_at_risk_yuan rank_in_province reason_1_zh reason_2_zh "
    "reason_3_zh action_zh",
    time="score_month",
    name_columns="package_name",
    extra_metrics=(m("candidates", "count(*)", "名单人数", "Candidates"),),
)
MART_CHANNEL_REGION = dataset(
    "mart_channel_region_month",
    "渠道汇总：每月每个区域每类渠道一行",
    "Channels by region, month and channel type",
    f"{REGION} channel_type channels new_subs commission_yuan acquired_revenue_yuan risk_channels",
    name_columns="channel_type_name",
    extra_metrics=(m("commission", "sum(commission_yuan)", "酬金（元）", "Commissions (yuan)"),),
)
MART_CHANNEL_RATINGS = dataset(
    "mart_channel_ratings",
    "渠道评级：每个渠道每个评级月一行（得分、A-D评级、聚类、养卡标记）",
    "Channel ratings: score, grade A-D, cluster, fraud flag",
    "period_month channel_id channel_name channel_type_name level1_name prov_code city_code "
    "grade cluster is_fraud_flagged score rank_in_period new_subs acquired_revenue_yuan "
    "commission_yuan commission_to_revenue survival_m3 zero_usage_rate early_churn_rate",
    extra_metrics=(
        m("rated_channels", "count(grade)", "已评级渠道数", "Rated channels"),
        m("avg_score", "avg(score)", "平均得分", "Mean score", ",.1f"),
        m("rating_new_subs", "sum(new_subs)", "发展用户", "New subscribers"),
    ),
)
MART_CHANNEL_FRAUD_FLAGS = dataset(
    "mart_channel_fraud_flags",
    "养卡预警：每个被标记渠道每个评级月一行",
    "Channel fraud (养卡) flags",
    "period_month channel_id channel_name channel_type_name prov_code city_code new_subs "
    "zero_usage_rate early_churn_rate commission_to_revenue robust_z reason_zh",
    extra_metrics=(m("flagged_channels", "count(*)", "预警渠道数", "Flagged channels"),),
)
MART_COMPLAINT_MONTH = dataset(
    "mart_complaint_month",
    "投诉：每月每个区域每个投诉类别一行",
    "Complaints by region, month and category",
    f"{REGION} category_level category_code subs_in_service tickets complaints_per_10k",
    name_columns="category_name",
    extra_metrics=(m("category_tickets", "sum(tickets)", "投诉工单", "Tickets"),),
)
MART_COMPLAINT_HOTSPOTS = dataset(
    "mart_complaint_hotspots",
    "投诉热点：每天每个地点（地市/小区）每个一级类别一行",
    "Complaint hot spots by day, place (city or cell) and category",
    "stat_date region_level region_code prov_code city_code category_l1_code category_l1_name "
    "tickets window_tickets expected_tickets hotspot_score is_hotspot",
    time="stat_date",
    name_columns="region_level_name",
    extra_metrics=(
        m("hotspots", "count(case when is_hotspot then 1 end)", "热点数", "Hot spots"),
        m("hotspot_tickets", "sum(tickets)", "投诉工单", "Tickets"),
    ),
)
DAILY_KPI_COLUMNS = (
    "stat_date region_level region_code prov_code kpi_code kpi_value numerator denominator "
    "dod_pct wow_pct baseline_mean z_score is_anomaly is_target_breach"
)
MART_DAILY_KPI = dataset(
    "mart_daily_kpi",
    "日监控：每天每个区域每个KPI一行（较前日、较上周、基线、异常与达标标记）",
    "Daily KPIs with baselines, anomaly and target flags",
    DAILY_KPI_COLUMNS,
    time="stat_date",
    name_columns="kpi_name",
    extra_metrics=(
        m("anomalies", "count(case when is_anomaly then 1 end)", "异常数", "Anomalies"),
        m("breaches", "count(case when is_target_breach then 1 end)", "未达标数", "Breaches"),
    ),
)
MART_DAILY_KPI_RECENT = dataset(
    "mart_daily_kpi_recent",
    "日监控（近60天）：日趋势图所用",
    "Daily KPIs, the last 60 days (the daily trend charts)",
    DAILY_KPI_COLUMNS,
    time="stat_date",
    catalogue_table="mart_daily_kpi",
)
MART_MONITORING_ALERTS = dataset(
    "mart_monitoring_alerts",
    "告警：各主题集市发出的每条告警一行",
    "Monitoring alerts raised by the subject marts",
    "alert_source alert_kind region_level region_code prov_code city_code cell_id channel_id "
    "start_date end_date kpi_code kpi_value baseline_value score",
    time="start_date",
    name_columns="alert_kind_name alert_source_name alert_kpi_name",
    extra_metrics=(m("alerts", "count(*)", "告警数", "Alerts"),),
)
MART_HQ_STATUS = dataset(
    "mart_hq_submission_status",
    "上报状态：每省每个统计期一行（按时/逾期/退回/缺报/未到期）",
    "HQ submission status per province and period",
    "prov_code prov_name period period_grain period_month status status_zh status_order "
    "current_package "
    "last_reasons versions rejected_versions due_at current_delivered_at",
    extra_metrics=(m("provinces", "count(*)", "省份数", "Provinces"),),
)
MART_HQ_DEVIATION = dataset(
    "mart_hq_deviation",
    "口径核对：上报值与集中计算值，每省每期每个指标每个区域一行",
    "Uploaded vs centrally computed values",
    "prov_code period period_month region_level region_code indicator_code indicator_name_zh "
    "unit deviation_status uploaded_value central_value deviation deviation_pct",
    extra_metrics=(
        m(
            "differs",
            "count(case when deviation_status = 'differs' then 1 end)",
            "不一致数",
            "Differences",
        ),
        m("checked", "count(*)", "核对项数", "Checked figures"),
    ),
)
MART_HQ_NATIONAL = dataset(
    "mart_hq_national",
    "全国汇总：每个指标每期一行（各省上报汇总 vs 集中计算）",
    "National figures consolidated from provincial uploads",
    "indicator_code period period_grain period_month indicator_name_zh unit aggregation "
    "national_value central_value provinces_reported provinces_expected is_complete",
    audience="hq",
    extra_metrics=(m("national", "sum(national_value)", "全国汇总值", "National value", ",.2f"),),
)
STG_LOAD_AUDIT = dataset(
    "stg_ingest__load_audit",
    "加载审计：每个文件每次加载一行",
    "Load audit: one row per file per load",
    "load_id file_name interface prov_code period status reason_code reason records_declared "
    "records_loaded records_rejected started_at finished_at",
    time="finished_at",
    schema="staging",
    name_columns="interface_name load_status_name",
    extra_metrics=(
        m("files", "count(*)", "文件数", "Files"),
        m(
            "files_failed",
            "count(case when status <> 'loaded' then 1 end)",
            "未入库文件",
            "Files not loaded",
        ),
        m("loaded_rows", "sum(records_loaded)", "入库记录", "Rows loaded"),
        m("rejected_rows", "sum(records_rejected)", "拒绝记录", "Rows rejected"),
        m("last_load", "max(finished_at)", "最近加载时间", "Last load", None),
        m(
            "hours_since_load",
            "date_diff('minute', max(finished_at), current_timestamp::timestamp) / 60.0",
            "距最近加载（小时）",
            "Hours since the last load",
            ",.1f",
        ),
    ),
)
# Row-level rejects with the province of their file (marts/monitoring/rpt_load_rejects.sql), so
# row-level security can limit them (a reject without its audit row is shown to 总部 only).
RPT_LOAD_REJECTS = dataset(
    "rpt_load_rejects",
    "拒绝记录：每条被拒绝的行一行，带文件所属省份",
    "Rejected rows with the province of their file",
    "load_id file_name interface prov_code period line_no rule column_name message finished_at",
    time="finished_at",
    name_columns="interface_name",
    extra_metrics=(m("rejects", "count(*)", "拒绝记录", "Rejected rows"),),
)

# ---- shared filters and where-clauses ---------------------------------------------------------
MONTHLY = Where("period_grain", "==", "month")
PROVINCE_ROWS = Where("region_level", "==", "province")
CITY_ROWS = Where("region_level", "==", "city")
PERIOD = FilterSpec("period", "time", "统计期", "Period")


def geo_filters(ds: DatasetSpec) -> tuple[FilterSpec, ...]:
    """统计期, 省份 and 地市 (cascading from 省份) over ``ds``, selecting by name (row-level
    security stays on prov_code)."""
    by_city = any(c.name == "city_code" for c in ds.columns)
    return (
        PERIOD,
        FilterSpec(
            "province",
            "select",
            "省份",
            "Province",
            dataset=ds,
            column="prov_name",
            where=(Where("prov_name", "IS NOT NULL", ""),),  # not the national rows' none
        ),
        FilterSpec(
            "city",
            "select",
            "地市",
            "City",
            dataset=ds,
            column="city_name" if by_city else "region_name",
            parent="province",
            where=() if by_city else (CITY_ROWS,),
        ),
    )


def benchmark_trend(key: str, code: str) -> ChartSpec:
    """The monthly trend of an L0 indicator as two lines, 全国 and 本省 (对标), instead of one
    line per province: a province user sees its province beside the nation (the national
    figure is allowed to provinces, mart_indicator_benchmark), headquarters the nation and the
    province chosen in the 省份 filter (only 全国 while none or several are chosen)."""
    ind = indicators()[code]
    unit = f"（{ind.unit_zh}）" if ind.unit_zh else ""
    return ChartSpec(
        key=key,
        title_zh=f"{ind.name_zh}{unit}月度趋势：全国与本省",
        title_en=f"{ind.name_en}: monthly trend, national and the province",
        dataset=MART_INDICATOR_BENCHMARK,
        kind="line",
        metrics=("national_line", "province_line"),
        number_format=ind.d3format,
        where=(Where("indicator_code", "==", code),),
    )


def big_number(code: str, ds: DatasetSpec, metric: str, *where: Where, lag: int = 1) -> ChartSpec:
    ind = indicators()[code]
    unit = f"（{ind.unit_zh}）" if ind.unit_zh else ""
    return ChartSpec(
        key=f"kpi_{code.lower()}" + ("" if ds is MART_INDICATOR_VALUES else f"_{ds.table}"),
        title_zh=f"{ind.name_zh}{unit}",
        title_en=f"{ind.name_en} ({code}), latest month with change",
        dataset=ds,
        kind="big_number",
        metric=metric,
        metric_label=ind.name_zh,
        where=where,
        compare_lag=lag,
        number_format=ind.d3format,  # counts as whole numbers, whatever metric computes them
        width=3,
        height=40,
    )


# ---- 1 经营概览 ------------------------------------------------------------------------------
L0_INDICATORS = tuple(
    r["indicator_code"]
    for r in indicator_rows()
    if r["level"] == "L0" and r["period_grain"] == "month"
)
BENCHMARK_TABLE = ChartSpec(
    key="overview_benchmark",
    title_zh="对标：本省与全国（L0指标）",
    title_en="Benchmark: the province against the nation (L0 indicators)",
    dataset=MART_INDICATOR_BENCHMARK,
    kind="table",
    columns=(
        "period_month",
        "indicator_name_zh",
        "prov_name",
        "province_value",
        "national_value",
        "rank_among_provinces",
        "provinces_ranked",
        "rank_basis_zh",
        "unit",
    ),
    order_by=(("period_month", False), ("indicator_name_zh", True), ("prov_name", True)),
    width=12,
)
PROVINCE_MAP = ChartSpec(
    key="overview_province_map",
    title_zh="各省出账收入地图（元）",
    title_en="Billed revenue by province (map)",
    dataset=MART_INDICATOR_BENCHMARK,
    kind="country_map",
    metric="province_value",
    metric_label="出账收入",
    groupby=("prov_iso_code",),
    where=(Where("indicator_code", "==", "REV_TOTAL"),),
    width=12,
    height=70,
)
INDICATOR_OVERVIEW = DashboardSpec(
    slug="executive-overview",
    title_zh="经营概览",
    title_en="Executive overview",
    description_zh="L0核心指标最新月及环比、趋势，各省排名；地市下钻。",
    description_en="L0 indicators: latest month with MoM, trends, province ranking, city drill-down.",
    charts=(
        *(
            big_number(
                code,
                MART_INDICATOR_VALUES,
                "indicator_value",
                Where("indicator_code", "==", code),
                PROVINCE_ROWS,
                MONTHLY,
            )
            for code in L0_INDICATORS
        ),
        *(
            benchmark_trend(f"indicator_trend_{code.lower()}", code)
            for code in ("REV_TOTAL", "ARPU", "NET_ADDS", "CHURN_RATE")
        ),
        ChartSpec(
            key="overview_province_ranking",
            title_zh="各省出账收入排名（统计期最新月，元）",
            title_en="Province ranking by billed revenue, latest month of the period",
            dataset=MART_REVENUE_REGION,
            kind="bar",
            # the provinces as the sum of their cities, so drill-by 地区 (region_name) on a
            # province's bar shows its cities (省 -> 地市)
            metric="revenue_latest_month_total",
            groupby=("prov_name",),
            where=(CITY_ROWS,),
            ranked=True,
        ),
        ChartSpec(
            key="overview_city_ranking",
            title_zh="各地市出账收入（统计期最新月，前15及其他，元）",
            title_en="Billed revenue by city, latest month of the period (top 15 and the rest)",
            dataset=MART_REVENUE_REGION,
            kind="bar",
            metric="revenue_latest_month_total",
            groupby=("region_name_top",),
            where=(CITY_ROWS,),
            ranked=True,
        ),
        ChartSpec(
            key="indicator_values_table",
            title_zh="L0指标明细（省级）",
            title_en="L0 indicator values by province",
            dataset=MART_INDICATOR_VALUES,
            kind="table",
            columns=("name_zh", "period_month", "prov_name", "value", "unit"),
            where=(PROVINCE_ROWS, MONTHLY, Where("level", "==", "L0")),
            order_by=(("name_zh", True), ("period_month", True), ("prov_name", True)),
            width=12,
        ),
        PROVINCE_MAP,
        BENCHMARK_TABLE,
    ),
    filters=geo_filters(MART_INDICATOR_VALUES),
)

# ---- 2 收入与ARPU ----------------------------------------------------------------------------
REVENUE = DashboardSpec(
    slug="revenue-arpu",
    title_zh="收入与ARPU",
    title_en="Revenue and ARPU",
    description_zh="收入、ARPU及同比环比；按账单项/套餐/网络的收入结构；收费率与欠费账龄。",
    description_en="Revenue, ARPU, structure by bill item / package / network, collection and arrears ageing.",
    charts=(
        big_number("REV_TOTAL", MART_REVENUE_REGION, "REV_TOTAL", PROVINCE_ROWS),
        big_number("ARPU", MART_REVENUE_REGION, "ARPU", PROVINCE_ROWS),
        big_number("REV_YOY", MART_REVENUE_REGION, "REV_YOY", PROVINCE_ROWS),
        big_number("COLLECTION_RATE", MART_PAYMENT, "COLLECTION_RATE", PROVINCE_ROWS),
        benchmark_trend("revenue_trend", "REV_TOTAL"),
        benchmark_trend("arpu_trend", "ARPU"),
        ChartSpec(
            "revenue_by_bill_item",
            "收入结构：账单项",
            "Revenue by bill item",
            MART_REVENUE_STRUCTURE,
            "pie",
            metric="revenue",
            groupby=("breakdown_name",),
            where=(
                PROVINCE_ROWS,
                Where("breakdown_type", "==", "bill_item"),
                Where("breakdown_value", "NOT IN", ("discount",)),
            ),
            width=4,
        ),
        ChartSpec(
            "revenue_by_package",
            "收入结构：套餐",
            "Revenue by package family",
            MART_REVENUE_STRUCTURE,
            "pie",
            metric="revenue",
            groupby=("breakdown_name",),
            where=(PROVINCE_ROWS, Where("breakdown_type", "==", "package_family")),
            width=4,
        ),
        ChartSpec(
            "arpu_by_network",
            "ARPU：按网络类型（元/户）",
            "ARPU by network",
            MART_REVENUE_STRUCTURE,
            "bar",
            metric="arpu",
            groupby=("breakdown_name",),
            where=(PROVINCE_ROWS, Where("breakdown_type", "==", "net_type")),
            width=4,
        ),
        ChartSpec(
            "collection_rate_trend",
            "收费率月度趋势（%）",
            "Collection rate by month",
            MART_PAYMENT,
            "line",
            metric="COLLECTION_RATE",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "arrears_ageing",
            "欠费账龄结构（元）",
            "Arrears by age band",
            RPT_ARREARS_AGEING,
            "line",
            metric="arrears",
            groupby=("age_band",),
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "revenue_by_city",
            "地市收入与ARPU",
            "Revenue and ARPU by city",
            MART_REVENUE_REGION,
            "agg_table",
            groupby=("prov_name", "region_name"),
            metrics=("REV_TOTAL", "ARPU", "REV_YOY"),
            where=(CITY_ROWS,),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_REVENUE_REGION),
)

# ---- 3 用户发展与流失 --------------------------------------------------------------------------
DEV_TOTAL = Where("breakdown_type", "==", "total")
DEVELOPMENT = DashboardSpec(
    slug="subscriber-development",
    title_zh="用户发展与流失",
    title_en="Subscriber development and churn",
    description_zh="在网、新增、离网、净增与离网率；最新月用户瀑布；按网络/渠道类型的发展。",
    description_en="Subscribers in service, new, churned, net adds, churn rate; waterfall; by network and channel type.",
    charts=(
        big_number("SUBS_TOTAL", MART_DEVELOPMENT, "SUBS_TOTAL", PROVINCE_ROWS),
        big_number("NEW_SUBS", MART_DEVELOPMENT, "NEW_SUBS", PROVINCE_ROWS),
        big_number("NET_ADDS", MART_DEVELOPMENT, "NET_ADDS", PROVINCE_ROWS),
        big_number("CHURN_RATE", MART_DEVELOPMENT, "CHURN_RATE", PROVINCE_ROWS),
        ChartSpec(
            "subscriber_waterfall",
            "最新月用户瀑布（期初→期末）",
            "Subscriber waterfall, latest month",
            RPT_SUBSCRIBER_WATERFALL,
            "waterfall",
            metric="amount",
            groupby=("step",),
            where=(PROVINCE_ROWS, Where("is_latest_month", "SQL", "is_latest_month")),
        ),
        benchmark_trend("new_vs_churned_trend", "NEW_SUBS"),
        benchmark_trend("churn_rate_trend", "CHURN_RATE"),
        ChartSpec(
            "subs_by_network",
            "期末在网：按网络类型",
            "Closing subscribers by network",
            MART_DEVELOPMENT,
            "line",
            metric="dev_closing_subs",
            groupby=("breakdown_name",),
            where=(PROVINCE_ROWS, Where("breakdown_type", "==", "net_type")),
        ),
        ChartSpec(
            "new_subs_by_channel_type",
            "新增用户：按渠道类型",
            "New subscribers by channel type",
            MART_DEVELOPMENT,
            "bar",
            metric="dev_new_subs",
            groupby=("breakdown_name",),
            where=(PROVINCE_ROWS, Where("breakdown_type", "==", "channel_type")),
        ),
        ChartSpec(
            "development_by_city",
            "地市用户发展",
            "Development by city",
            MART_DEVELOPMENT,
            "agg_table",
            groupby=("prov_name", "region_name"),
            metrics=("dev_new_subs", "dev_churned_subs", "dev_churn_rate"),
            where=(CITY_ROWS, DEV_TOTAL),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_DEVELOPMENT),
)

# ---- 4 流失预警与挽留 --------------------------------------------------------------------------
RETENTION = DashboardSpec(
    slug="churn-retention",
    title_zh="流失预警与挽留",
    title_en="Churn risk and retention",
    description_zh="流失评分的风险分布、主要原因、高价值风险用户挽留名单（号码脱敏）。",
    description_en="Churn-score risk distribution, reasons, high-value at-risk list (masked numbers).",
    charts=(
        ChartSpec(
            "churn_scored_subs",
            "评分用户数",
            "Scored subscribers",
            MART_CHURN_SCORES,
            "agg_table",
            groupby=("prov_name",),
            metrics=("scored_subs", "high_risk_subs", "mean_p_churn", "value_at_risk"),
            width=6,
        ),
        ChartSpec(
            "churn_risk_distribution",
            "风险十分位分布",
            "Subscribers by risk decile",
            MART_CHURN_SCORES,
            "bar",
            metric="scored_subs",
            groupby=("risk_decile",),
            width=6,
        ),
        ChartSpec(
            "churn_reasons",
            "高风险用户主要原因（前20%）",
            "Main reasons of the two highest risk deciles",
            MART_CHURN_SCORES,
            "pie",
            metric="scored_subs",
            groupby=("reason_1_name",),
            where=(Where("risk_decile", "<=", 2),),
            width=6,
        ),
        ChartSpec(
            "value_at_risk_by_province",
            "各省风险收入（元，可下钻：省 → 地市 → 区县）",
            "Value at risk by province (drill by city, then county)",
            MART_CHURN_SCORES,
            "bar",
            metric="value_at_risk",
            groupby=("prov_name",),
            width=6,
            ranked=True,
        ),
        ChartSpec(
            "value_at_risk_by_city",
            "地市风险收入（前15及其他，元）",
            "Value at risk by city (top 15 and the rest)",
            MART_CHURN_SCORES,
            "bar",
            metric="value_at_risk",
            groupby=("city_name_top",),
            width=6,
            ranked=True,
        ),
        ChartSpec(
            "retention_list",
            "高价值风险用户挽留名单",
            "High-value at-risk retention list",
            MART_RETENTION_CANDIDATES,
            "table",
            columns=(
                "prov_name",
                "city_name",
                "rank_in_province",
                "msisdn_masked",
                "package_name",
                "arpu_yuan",
                "p_churn",
                "value_at_risk_yuan",
                "reason_1_zh",
                "reason_2_zh",
                "action_zh",
            ),
            where=(Where("risk_decile", "<=", 2),),
            order_by=(("value_at_risk_yuan", False),),
            row_limit=500,
            width=12,
            height=70,
        ),
    ),  # fmt: skip
    filters=(
        FilterSpec("period", "time", "评分月份", "Scored month"),
        FilterSpec("province", "select", "省份", "Province", MART_CHURN_SCORES, "prov_name"),
        FilterSpec(
            "city", "select", "地市", "City", MART_CHURN_SCORES, "city_name", parent="province"
        ),
    ),  # fmt: skip
)

# ---- 5 渠道价值与评级 --------------------------------------------------------------------------
CHANNEL_ALL = Where("channel_type", "==", "all")
CHANNELS = DashboardSpec(
    slug="channel-value",
    title_zh="渠道价值与评级",
    title_en="Channel value, grades and fraud flags",
    description_zh="渠道酬金与发展、酬金收入比、A-D评级、养卡预警。",
    description_en="Commissions, acquisitions, commission-to-revenue, A-D grades, fraud (养卡) flags.",
    charts=(
        big_number("CMSN_TOTAL", MART_CHANNEL_REGION, "CMSN_TOTAL", PROVINCE_ROWS, CHANNEL_ALL),
        big_number(
            "CMSN_REV_RATIO", MART_CHANNEL_REGION, "CMSN_REV_RATIO", PROVINCE_ROWS, CHANNEL_ALL
        ),
        big_number(
            "EARLY_CHURN_RATE", MART_CHANNEL_REGION, "EARLY_CHURN_RATE", PROVINCE_ROWS, CHANNEL_ALL
        ),
        big_number(
            "RISK_CHANNELS", MART_CHANNEL_REGION, "RISK_CHANNELS", PROVINCE_ROWS, CHANNEL_ALL
        ),
        ChartSpec(
            "commission_by_channel_type",
            "酬金：按渠道类型（元）",
            "Commissions by channel type",
            MART_CHANNEL_REGION,
            "bar",
            metric="commission",
            groupby=("channel_type_name",),
            where=(PROVINCE_ROWS, Where("channel_type", "NOT IN", ("all",))),
        ),
        ChartSpec(
            "channel_grade_distribution",
            "渠道评级分布（渠道·月）",
            "Channels by grade",
            MART_CHANNEL_RATINGS,
            "pie",
            metric="rated_channels",
            groupby=("grade",),
            where=(Where("grade", "SQL", "grade is not null"),),
        ),
        ChartSpec(
            "channel_ratings_table",
            "渠道评级明细",
            "Channel ratings",
            MART_CHANNEL_RATINGS,
            "table",
            columns=(
                "period_month",
                "prov_name",
                "channel_name",
                "channel_type_name",
                "grade",
                "score",
                "rank_in_period",
                "new_subs",
                "commission_to_revenue",
                "survival_m3",
                "is_fraud_flagged",
            ),
            order_by=(("period_month", False), ("rank_in_period", True)),
            row_limit=500,
            width=12,
        ),
        ChartSpec(
            "channel_fraud_flags",
            "养卡预警渠道",
            "Channels flagged for fraud (养卡)",
            MART_CHANNEL_FRAUD_FLAGS,
            "table",
            columns=(
                "period_month",
                "prov_name",
                "channel_name",
                "channel_type_name",
                "new_subs",
                "zero_usage_rate",
                "early_churn_rate",
                "robust_z",
                "reason_zh",
            ),
            order_by=(("period_month", False), ("robust_z", False)),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_CHANNEL_RATINGS),
)

# ---- 6 投诉热点 --------------------------------------------------------------------------------
COMPLAINTS = DashboardSpec(
    slug="complaint-hotspots",
    title_zh="投诉热点",
    title_en="Complaint hot-spots",
    description_zh="投诉量、万户投诉率、按类别结构，地市与小区投诉热点。",
    description_en="Complaints, complaints per 10k, categories, city and cell hot spots.",
    charts=(
        big_number("COMPLAINTS", MART_COMPLAINT_MONTH, "COMPLAINTS", PROVINCE_ROWS),
        big_number("COMPLAINTS_PER_10K", MART_COMPLAINT_MONTH, "COMPLAINTS_PER_10K", PROVINCE_ROWS),
        big_number("ESCALATION_RATE", MART_COMPLAINT_MONTH, "ESCALATION_RATE", PROVINCE_ROWS),
        big_number("SATISFACTION_RATE", MART_COMPLAINT_MONTH, "SATISFACTION_RATE", PROVINCE_ROWS),
        benchmark_trend("complaints_per_10k_trend", "COMPLAINTS_PER_10K"),
        ChartSpec(
            "complaints_by_category",
            "投诉类别结构",
            "Complaints by category",
            MART_COMPLAINT_MONTH,
            "pie",
            metric="category_tickets",
            groupby=("category_name",),
            where=(PROVINCE_ROWS, Where("category_level", "==", "l1")),
        ),
        ChartSpec(
            "hotspots_by_day",
            "每日投诉热点数",
            "Hot spots per day",
            MART_COMPLAINT_HOTSPOTS,
            "line",
            metric="hotspots",
            groupby=("region_level_name",),
            time_grain="P1D",
        ),
        ChartSpec(
            "hotspot_list",
            "投诉热点清单",
            "Hot-spot list",
            MART_COMPLAINT_HOTSPOTS,
            "table",
            columns=(
                "stat_date",
                "prov_name",
                "city_name",
                "region_level_name",
                "region_name",
                "category_l1_name",
                "window_tickets",
                "expected_tickets",
                "hotspot_score",
            ),
            where=(Where("is_hotspot", "SQL", "is_hotspot"),),
            order_by=(("stat_date", False), ("hotspot_score", False)),
        ),
        ChartSpec(
            "complaints_by_city",
            "地市投诉",
            "Complaints by city",
            MART_COMPLAINT_MONTH,
            "agg_table",
            groupby=("prov_name", "region_name"),
            metrics=("COMPLAINTS", "COMPLAINTS_PER_10K", "SATISFACTION_RATE"),
            where=(CITY_ROWS,),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_COMPLAINT_HOTSPOTS),
)


# ---- 7 日常运营监控 ----------------------------------------------------------------------------
def _kpi(code: str) -> Where:
    return Where("kpi_code", "==", code)


MONITORING = DashboardSpec(
    slug="daily-operations",
    title_zh="日常运营监控",
    title_en="Daily operations monitoring",
    description_zh="日KPI（新增、离网、缴费、可用率）趋势，异常与未达标标记，告警清单。",
    description_en="Daily KPIs with anomaly and target flags, and the alert list.",
    charts=(
        ChartSpec(
            "daily_new_subs",
            "日新增用户（近60天）",
            "Daily new subscribers, last 60 days",
            MART_DAILY_KPI_RECENT,
            "line",
            metric="D_NEW_SUBS",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
            time_grain="P1D",
        ),
        ChartSpec(
            "daily_payment",
            "日缴费金额（元，近60天）",
            "Daily payments, last 60 days",
            MART_DAILY_KPI_RECENT,
            "line",
            metric="D_PAYMENT",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
            time_grain="P1D",
        ),
        ChartSpec(
            "daily_cell_availability",
            "无线可用率（%，近60天）",
            "Cell availability, last 60 days",
            MART_DAILY_KPI_RECENT,
            "line",
            metric="D_CELL_AVAILABILITY",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
            time_grain="P1D",
        ),
        ChartSpec(
            "daily_flags_by_kpi",
            "异常与未达标：按KPI",
            "Anomalies and breaches by KPI",
            MART_DAILY_KPI,
            "agg_table",
            groupby=("kpi_name",),
            metrics=("anomalies", "breaches"),
            where=(CITY_ROWS,),
        ),
        ChartSpec(
            "alerts_by_kind",
            "告警类型分布",
            "Alerts by kind",
            MART_MONITORING_ALERTS,
            "pie",
            metric="alerts",
            groupby=("alert_kind_name",),
        ),
        ChartSpec(
            "alert_list",
            "告警清单",
            "Alert list",
            MART_MONITORING_ALERTS,
            "table",
            columns=(
                "start_date",
                "end_date",
                "prov_name",
                "city_name",
                "alert_kind_name",
                "alert_source_name",
                "alert_kpi_name",
                "kpi_value",
                "baseline_value",
                "score",
                "cell_id",
                "channel_id",
            ),
            order_by=(("start_date", False), ("prov_name", True)),
            width=12,
            height=70,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_MONITORING_ALERTS),
)

# ---- 8 月度经营盘点 ----------------------------------------------------------------------------
REVIEW = DashboardSpec(
    slug="monthly-review",
    title_zh="月度经营盘点",
    title_en="Monthly business review",
    description_zh="月末经营述评、收入变动的量效应与价效应、最新月收入桥、单价与使用量。",
    description_en="Month-end commentary, revenue change split into volume and price effects, bridge, unit prices and usage.",
    charts=(
        ChartSpec(
            "month_commentary",
            "月末经营述评",
            "Month-end commentary",
            RPT_MONTH_COMMENTARY,
            "table",
            columns=("month_label", "region_name", "topic_zh", "sentence"),
            # the latest closed month, as the revenue bridge beside it (every month is in the
            # dataset for Explore)
            where=(Where("is_latest_month", "SQL", "is_latest_month"),),
            order_by=(("region_code", True), ("sentence_no", True)),
            width=12,
            height=60,
        ),
        big_number("REV_CHANGE", MART_BUSINESS_REVIEW, "REV_CHANGE", PROVINCE_ROWS),
        big_number("VOICE_UNIT_PRICE", MART_BUSINESS_REVIEW, "VOICE_UNIT_PRICE", PROVINCE_ROWS),
        big_number("DATA_UNIT_PRICE", MART_BUSINESS_REVIEW, "DATA_UNIT_PRICE", PROVINCE_ROWS),
        ChartSpec(
            "revenue_bridge",
            "最新月收入桥（上月→本月，元）",
            "Revenue bridge, latest month",
            RPT_REVENUE_BRIDGE,
            "waterfall",
            metric="amount",
            groupby=("step",),
            where=(PROVINCE_ROWS, Where("is_latest_month", "SQL", "is_latest_month")),
            width=3,
        ),
        ChartSpec(
            "volume_effect_trend",
            "量效应月度趋势（元）",
            "Volume effect by month",
            MART_BUSINESS_REVIEW,
            "line",
            metric="volume_effect",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "price_effect_trend",
            "价效应月度趋势（元）",
            "Price effect by month",
            MART_BUSINESS_REVIEW,
            "line",
            metric="price_effect",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "review_table",
            "经营盘点明细（省级）",
            "Business review by province",
            MART_BUSINESS_REVIEW,
            "table",
            columns=(
                "period_month",
                "prov_name",
                "revenue_yuan",
                "revenue_change_yuan",
                "volume_effect_yuan",
                "price_effect_yuan",
                "arpu_yuan",
                "closing_subs",
                "net_adds",
                "mou",
                "dou_gb",
                "voice_unit_price_yuan_per_min",
                "data_unit_price_yuan_per_gb",
            ),
            where=(PROVINCE_ROWS,),
            order_by=(("period_month", False), ("prov_name", True)),
            width=12,
        ),
        ChartSpec(
            "review_by_city",
            "地市量价分解",
            "Volume and price effects by city",
            MART_BUSINESS_REVIEW,
            "agg_table",
            groupby=("prov_name", "region_name"),
            metrics=("REV_CHANGE", "volume_effect", "price_effect"),
            where=(CITY_ROWS,),
            width=12,
        ),
    ),  # fmt: skip
    filters=(*geo_filters(MART_BUSINESS_REVIEW),),
)

# ---- 9 总部指标上报 ----------------------------------------------------------------------------
HQ = DashboardSpec(
    slug="hq-submissions",
    title_zh="总部指标上报",
    title_en="HQ indicator submissions",
    description_zh="各省上报状态（按时/逾期/退回/缺报）、口径核对偏差、全国汇总与集中计算对比。",
    description_en="Submission status per province, 口径 deviations, national consolidation vs central.",
    audience="hq",
    charts=(
        ChartSpec(
            "hq_status_counts",
            "上报状态分布",
            "Submissions by status",
            MART_HQ_STATUS,
            "pie",
            metric="provinces",
            groupby=("status_zh",),
            width=4,
        ),
        ChartSpec(
            "hq_status_grid",
            "各省上报状态",
            "Status per province and period",
            MART_HQ_STATUS,
            "table",
            columns=(
                "period",
                "prov_name",
                "status_zh",
                "current_package",
                "versions",
                "rejected_versions",
                "due_at",
                "current_delivered_at",
                "last_reasons",
            ),
            order_by=(("period", False), ("status_zh", True), ("prov_name", True)),
            width=8,
        ),
        ChartSpec(
            "hq_deviation_by_province",
            "口径核对：不一致项",
            "Figures that differ from central",
            MART_HQ_DEVIATION,
            "agg_table",
            groupby=("period", "prov_name"),
            metrics=("differs", "checked"),
            width=4,
        ),
        ChartSpec(
            "hq_deviation_list",
            "口径偏差明细",
            "Deviations",
            MART_HQ_DEVIATION,
            "table",
            columns=(
                "period",
                "prov_name",
                "region_name",
                "indicator_name_zh",
                "uploaded_value",
                "central_value",
                "deviation",
                "deviation_pct",
            ),
            where=(Where("deviation_status", "==", "differs"),),
            order_by=(("period", False), ("prov_name", True)),
            width=8,
        ),
        ChartSpec(
            "hq_national",
            "全国汇总（各省上报）vs 集中计算",
            "National from uploads vs central",
            MART_HQ_NATIONAL,
            "table",
            columns=(
                "period",
                "indicator_name_zh",
                "unit",
                "national_value",
                "central_value",
                "provinces_reported",
                "provinces_expected",
                "is_complete",
            ),
            order_by=(("period", False), ("indicator_name_zh", True)),
            width=12,
        ),
    ),  # fmt: skip
    filters=(
        PERIOD,
        FilterSpec("province", "select", "省份", "Province", MART_HQ_STATUS, "prov_name"),
    ),
)

# ---- 10 数据加载与质量 -------------------------------------------------------------------------
DATA_QUALITY = DashboardSpec(
    slug="data-quality",
    title_zh="数据加载与质量",
    title_en="Data loading and quality",
    description_zh="每个接口的加载批次、入库与拒绝记录、数据新鲜度与拒绝明细。",
    description_en="Loads per interface, rows loaded and rejected, freshness, rejected rows.",
    charts=(
        ChartSpec(
            "load_freshness",
            "数据新鲜度：按接口",
            "Freshness by interface",
            STG_LOAD_AUDIT,
            "agg_table",
            groupby=("prov_name", "interface_name"),
            metrics=("last_load", "hours_since_load", "files", "files_failed"),
            order_by=(("prov_name", True), ("interface_name", True)),
            width=6,
            height=70,
        ),
        ChartSpec(
            "load_rows_by_interface",
            "入库与拒绝记录：按接口",
            "Rows loaded by interface",
            STG_LOAD_AUDIT,
            "agg_table",
            groupby=("interface_name",),
            metrics=("loaded_rows", "rejected_rows", "files"),
            width=6,
            height=70,
        ),
        ChartSpec(
            "load_files_by_status",
            "文件加载结果",
            "Files by load status",
            STG_LOAD_AUDIT,
            "pie",
            metric="files",
            groupby=("load_status_name",),
            width=4,
        ),
        ChartSpec(
            "load_audit_list",
            "加载审计（未成功入库的文件）",
            "Files not loaded",
            STG_LOAD_AUDIT,
            "table",
            columns=(
                "finished_at",
                "prov_name",
                "interface_name",
                "period",
                "file_name",
                "load_status_name",
                "reason",
            ),
            where=(Where("status", "NOT IN", ("loaded",)),),
            order_by=(("finished_at", False),),
            width=8,
        ),
        ChartSpec(
            "load_rejects_list",
            "拒绝记录明细",
            "Rejected rows",
            RPT_LOAD_REJECTS,
            "table",
            columns=(
                "finished_at",
                "prov_name",
                "interface_name",
                "file_name",
                "line_no",
                "rule",
                "column_name",
                "message",
            ),
            order_by=(("finished_at", False), ("file_name", True), ("line_no", True)),
            row_limit=1000,
            width=12,
        ),
    ),  # fmt: skip
    filters=(
        FilterSpec("period", "time", "加载时间", "Load time"),
        FilterSpec("province", "select", "省份", "Province", STG_LOAD_AUDIT, "prov_name"),
        FilterSpec("interface", "select", "接口", "Interface", STG_LOAD_AUDIT, "interface_name"),
    ),
)


def _recent_days(table: str, days: int = 60) -> str:
    """The last ``days`` days of a daily mart (a daily trend over a year is unreadable)."""
    return (
        f"select * from main.{table} where stat_date > "
        f"(select max(stat_date) from main.{table}) - interval {days} day"
    )


def _closed_months(table: str) -> str:
    """The closed months of a month mart that also has rows for the open month (the hotline's
    and the work orders' first days): a month tile shows a month once it is closed, the month
    the indicators report (the latest of the subscriber-month chain, mart_indicator_values)."""
    return (
        f"select * from main.{table} "
        "where period_month <= (select max(month_start) from main.fct_subscriber_month)"
    )


# ---- 客服中心运营 / 服务质量 / 集团客户 SLA (issue 17) -----------------------------------------
MART_HOTLINE_MONTH = dataset(
    "mart_hotline_month",
    "热线（10010）：每月每个区域每个客户星级一行（接通率、15秒接通率、呼损率、处理时长、自助率、坐席利用率）",
    "Hotline KPIs by month, region and customer tier",
    f"{REGION} vip_level calls offered_calls answered_calls answered_in_time_calls "
    "abandoned_calls answered_pct "
    "answer_15s_pct abandon_pct aht_seconds self_service_pct occupancy_pct answered_target_pct "
    "answer_15s_target_pct abandon_max_pct",
    sql=_closed_months("mart_hotline_month"),
    name_columns="vip_level_name",
    extra_metrics=(
        m(
            "tier_answered_pct",
            "100.0 * sum(answered_calls) / nullif(sum(offered_calls), 0)",
            "人工接通率（%）",
            "Answer rate %",
            ",.1f",
        ),
        m(
            "tier_answered_target",
            "max(answered_target_pct)",
            "接通率目标（%）",
            "Answer-rate target %",
            ",.0f",
        ),
        m(
            "tier_15s_pct",
            "100.0 * sum(answered_in_time_calls) / nullif(sum(offered_calls), 0)",
            "15秒接通率（%）",
            "Answered within 15 s %",
            ",.1f",
        ),
        m(
            "tier_15s_target",
            "max(answer_15s_target_pct)",
            "15秒接通率目标（%）",
            "15-second target %",
            ",.0f",
        ),
    ),
)
MART_HOTLINE_DAY = dataset(
    "mart_hotline_day",
    "热线日报：每天每个区域每个客户星级一行",
    "Hotline KPIs by day, region and customer tier",
    "stat_date region_level region_code prov_code vip_level calls offered_calls answered_calls "
    "answered_in_time_calls abandoned_calls answered_pct answer_15s_pct abandon_pct aht_seconds "
    "self_service_pct",
    sql=_recent_days("mart_hotline_day"),
    time="stat_date",
    name_columns="vip_level_name",
    extra_metrics=(
        m("day_calls", "sum(calls)", "呼入量", "Calls"),
        m(
            "day_answered_pct",
            "100.0 * sum(answered_calls) / nullif(sum(offered_calls), 0)",
            "人工接通率（%）",
            "Answer rate %",
            ",.1f",
        ),
        m(
            "day_answer_15s_pct",
            "100.0 * sum(answered_in_time_calls) / nullif(sum(offered_calls), 0)",
            "15秒接通率（%）",
            "Answered within 15 s %",
            ",.1f",
        ),
    ),
)
MART_HOTLINE_AGENTS_DAY = dataset(
    "mart_hotline_agents_day",
    "坐席利用率：每天每个省（及全国）一行",
    "Agent occupancy by day and province",
    "stat_date region_level region_code prov_code agents_on_duty answered_calls handle_seconds "
    "staffed_seconds break_seconds available_seconds occupancy_pct",
    sql=_recent_days("mart_hotline_agents_day"),
    time="stat_date",
    extra_metrics=(
        m(
            "agent_occupancy_pct",
            "100.0 * sum(handle_seconds) / nullif(sum(available_seconds), 0)",
            "坐席利用率（%）",
            "Agent occupancy %",
            ",.1f",
        ),
    ),
)
MART_ENQUIRY_HOTSPOTS = dataset(
    "mart_enquiry_hotspots",
    "咨询热点：每天每个地市每个IVR话题一行",
    "Enquiry hot spots by day, city and IVR topic",
    "stat_date region_level region_code prov_code city_code ivr_node ivr_node_name calls "
    "window_calls expected_calls hotspot_score is_hotspot",
    time="stat_date",
    extra_metrics=(
        m("enquiry_hotspots", "count(case when is_hotspot then 1 end)", "热点数", "Hot spots"),
    ),
)
MART_WORK_ORDER_MONTH = dataset(
    "mart_work_order_month",
    "电子工单：每月每个区域每个维度（合计、工单类型、处理部门、客户星级）一行",
    "Work orders by month, region and breakdown",
    f"{REGION} breakdown breakdown_value subscribers orders closed_orders within_limit_orders "
    "overdue_orders reopened_orders complaint_orders repeat_complaint_orders callbacks "
    "satisfied_callbacks appeals within_limit_pct reopen_pct repeat_complaint_pct "
    "satisfaction_pct avg_handling_hours appeals_per_million_subs",
    sql=_closed_months("mart_work_order_month"),
    name_columns="work_order_breakdown_name",
    extra_metrics=(
        m("wo_orders", "sum(orders)", "工单量", "Work orders"),
        m("wo_overdue", "sum(overdue_orders)", "超时工单", "Overdue orders"),
        m(
            "wo_within_limit_pct",
            "100.0 * sum(within_limit_orders) / nullif(sum(closed_orders), 0)",
            "及时处理率（%）",
            "Closed within limit %",
            ",.1f",
        ),
    ),
)
MART_KEY_ACCOUNT_SLA = dataset(
    "mart_key_account_sla_month",
    "集团客户电路SLA：每条电路每月一行（可用率、故障恢复时长，与合同SLA比较）",
    "Key-account circuits against their SLA, by month",
    "circuit_id period_month group_cust_id prov_code city_code circuit_type bandwidth_mbps "
    "sla_availability_pct availability_pct sla_restore_minutes max_restore_minutes fault_cnt "
    "outage_minutes days_reported is_sla_breach",
    name_columns="circuit_type_name",
    extra_metrics=(
        m("sla_circuits", "count(*)", "电路数", "Circuits"),
        m(
            "sla_breached_circuits",
            "count(case when is_sla_breach then 1 end)",
            "违约电路数",
            "Circuits breaching the SLA",
        ),
        m(
            "sla_availability_pct",
            "100.0 * (1 - sum(outage_minutes) / nullif(sum(days_reported) * 1440.0, 0))",
            "整体可用率（%）",
            "Availability %",
            ",.3f",
        ),
    ),
)

MART_KEY_ACCOUNT_SLA_ACCOUNT = dataset(
    "mart_key_account_sla_account_month",
    "集团客户SLA月报：每个集团客户每月一行（电路数、违约电路、整体可用率）；客户名称已脱敏",
    "Key-account SLA report headers by account and month (names masked)",
    "group_cust_id cust_name_masked period_month prov_code circuits breached_circuits "
    "availability_breaches restore_breaches fault_cnt outage_minutes availability_pct "
    "worst_circuit_availability_pct max_restore_minutes",
    sql=(
        "select a.*, c.cust_name_masked from main.mart_key_account_sla_account_month as a "
        "left join (select cust_id, cust_name_masked from main.dim_customer where is_current) "
        "as c on c.cust_id = a.group_cust_id"
    ),
)
ALL_TIERS = Where("vip_level", "==", "all")
TIER_ROWS = Where("vip_level", "NOT IN", ("all",))

SERVICE_CENTRE = DashboardSpec(
    slug="service-centre",
    title_zh="客服中心运营",
    title_en="Customer service centre",
    description_zh="10010热线接通率、15秒接通率、呼损率、处理时长，分级服务达标，坐席利用率，咨询热点。",
    description_en="Hotline answer rates, abandonment, handling time, tiered service, agent occupancy, enquiry hot spots.",
    charts=(
        big_number(
            "HOTLINE_ANSWERED_PCT", MART_HOTLINE_MONTH, "HOTLINE_ANSWERED_PCT", PROVINCE_ROWS
        ),
        big_number(
            "HOTLINE_ANSWER_15S_PCT", MART_HOTLINE_MONTH, "HOTLINE_ANSWER_15S_PCT", PROVINCE_ROWS
        ),
        big_number("HOTLINE_ABANDON_PCT", MART_HOTLINE_MONTH, "HOTLINE_ABANDON_PCT", PROVINCE_ROWS),
        big_number("HOTLINE_AHT", MART_HOTLINE_MONTH, "HOTLINE_AHT", PROVINCE_ROWS),
        ChartSpec(
            "hotline_daily_answer_rate",
            "每日人工接通率（%，近60天）",
            "Daily answer rate",
            MART_HOTLINE_DAY,
            "line",
            metric="day_answered_pct",
            groupby=("region_name",),
            where=(PROVINCE_ROWS, ALL_TIERS),
            time_grain="P1D",
        ),
        ChartSpec(
            "hotline_daily_calls",
            "每日热线呼入量（近60天）",
            "Daily hotline calls",
            MART_HOTLINE_DAY,
            "line",
            metric="day_calls",
            groupby=("region_name",),
            where=(PROVINCE_ROWS, ALL_TIERS),
            time_grain="P1D",
        ),
        ChartSpec(
            "hotline_tiers",
            "分级服务：各星级客户接通率与目标（%）",
            "Tiered service against its targets",
            MART_HOTLINE_MONTH,
            "agg_table",
            groupby=("vip_level_name",),
            metrics=(
                "tier_answered_pct",
                "tier_answered_target",
                "tier_15s_pct",
                "tier_15s_target",
            ),
            where=(PROVINCE_ROWS, TIER_ROWS),
        ),
        ChartSpec(
            "agent_occupancy",
            "坐席利用率（%，近60天）",
            "Agent occupancy, last 60 days",
            MART_HOTLINE_AGENTS_DAY,
            "line",
            metric="agent_occupancy_pct",
            groupby=("region_name",),
            where=(PROVINCE_ROWS,),
            time_grain="P1D",
        ),
        ChartSpec(
            "enquiry_hotspot_list",
            "咨询热点清单",
            "Enquiry hot spots",
            MART_ENQUIRY_HOTSPOTS,
            "table",
            columns=(
                "stat_date",
                "prov_name",
                "city_name",
                "ivr_node_name",
                "window_calls",
                "expected_calls",
                "hotspot_score",
            ),
            where=(Where("is_hotspot", "SQL", "is_hotspot"),),
            order_by=(("stat_date", False), ("hotspot_score", False)),
            width=12,
        ),
        ChartSpec(
            "hotline_by_city",
            "地市热线服务",
            "Hotline by city",
            MART_HOTLINE_MONTH,
            "agg_table",
            groupby=("prov_name", "region_name"),
            metrics=(
                "HOTLINE_CALLS",
                "HOTLINE_ANSWERED_PCT",
                "HOTLINE_ANSWER_15S_PCT",
                "HOTLINE_ABANDON_PCT",
            ),
            where=(CITY_ROWS,),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_HOTLINE_MONTH),
)

SERVICE_QUALITY = DashboardSpec(
    slug="service-quality",
    title_zh="服务质量",
    title_en="Service quality",
    description_zh="电子工单及时处理率、超时工单、重派率、重复投诉率、回访满意率、百万用户申诉率，按处理部门、工单类型、客户星级与地市。",
    description_en="Work orders within limit, overdue, reopened, repeat complaints, satisfaction, appeals; by department, type, tier and city.",
    charts=(
        big_number(
            "WO_WITHIN_LIMIT_PCT", MART_WORK_ORDER_MONTH, "WO_WITHIN_LIMIT_PCT", PROVINCE_ROWS
        ),
        big_number(
            "REPEAT_COMPLAINT_PCT", MART_WORK_ORDER_MONTH, "REPEAT_COMPLAINT_PCT", PROVINCE_ROWS
        ),
        big_number(
            "WO_SATISFACTION_PCT", MART_WORK_ORDER_MONTH, "WO_SATISFACTION_PCT", PROVINCE_ROWS
        ),
        big_number(
            "APPEALS_PER_MILLION", MART_WORK_ORDER_MONTH, "APPEALS_PER_MILLION", PROVINCE_ROWS
        ),
        ChartSpec(
            "wo_by_department",
            "各处理部门工单及时处理率（%）",
            "Closed within limit by department",
            MART_WORK_ORDER_MONTH,
            "agg_table",
            groupby=("work_order_breakdown_name",),
            metrics=("wo_orders", "wo_within_limit_pct", "wo_overdue"),
            where=(PROVINCE_ROWS, Where("breakdown", "==", "department")),
        ),
        ChartSpec(
            "wo_by_type",
            "各类工单处理情况",
            "Work orders by type",
            MART_WORK_ORDER_MONTH,
            "agg_table",
            groupby=("work_order_breakdown_name",),
            metrics=("wo_orders", "wo_within_limit_pct", "wo_overdue"),
            where=(PROVINCE_ROWS, Where("breakdown", "==", "order_type")),
        ),
        ChartSpec(
            "wo_by_tier",
            "各星级客户工单处理情况",
            "Work orders by customer tier",
            MART_WORK_ORDER_MONTH,
            "agg_table",
            groupby=("work_order_breakdown_name",),
            metrics=("wo_orders", "wo_within_limit_pct", "wo_overdue"),
            where=(PROVINCE_ROWS, Where("breakdown", "==", "vip_level")),
        ),
        ChartSpec(
            "wo_overdue_trend",
            "超时工单月度趋势",
            "Overdue work orders by month",
            MART_WORK_ORDER_MONTH,
            "line",
            metric="wo_overdue",
            groupby=("region_name",),
            where=(PROVINCE_ROWS, Where("breakdown", "==", "total")),
        ),
        ChartSpec(
            "wo_by_city",
            "地市服务质量",
            "Service quality by city",
            MART_WORK_ORDER_MONTH,
            "agg_table",
            groupby=("prov_name", "region_name"),
            metrics=(
                "WO_WITHIN_LIMIT_PCT",
                "REPEAT_COMPLAINT_PCT",
                "WO_SATISFACTION_PCT",
                "APPEALS_PER_MILLION",
            ),
            where=(CITY_ROWS,),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_WORK_ORDER_MONTH),
)

KEY_ACCOUNT_SLA = DashboardSpec(
    slug="key-account-sla",
    title_zh="集团客户SLA",
    title_en="Key-account SLA",
    description_zh="集团客户专线电路可用率与故障恢复时长对照合同SLA，违约电路清单，每户SLA月报汇总。",
    description_en="Key-account circuits against their SLA: availability, restoration, breaches, per-account monthly report.",
    charts=(
        ChartSpec(
            "sla_breached_trend",
            "SLA违约电路数（月）",
            "Circuits breaching the SLA by month",
            MART_KEY_ACCOUNT_SLA,
            "line",
            metric="sla_breached_circuits",
            groupby=("prov_name",),
        ),
        ChartSpec(
            "sla_by_circuit_type",
            "各类电路可用率",
            "Availability by circuit type",
            MART_KEY_ACCOUNT_SLA,
            "agg_table",
            groupby=("circuit_type_name",),
            metrics=("sla_circuits", "sla_breached_circuits", "sla_availability_pct"),
        ),
        ChartSpec(
            "sla_accounts",
            "集团客户SLA月报汇总",
            "Per-account SLA report headers",
            MART_KEY_ACCOUNT_SLA_ACCOUNT,
            "table",
            columns=(
                "period_month",
                "prov_name",
                "group_cust_id",
                "cust_name_masked",
                "circuits",
                "breached_circuits",
                "availability_pct",
                "worst_circuit_availability_pct",
                "max_restore_minutes",
            ),
            order_by=(("period_month", False), ("breached_circuits", False)),
            width=12,
        ),
        ChartSpec(
            "sla_breach_list",
            "SLA违约电路清单",
            "Circuits breaching the SLA",
            MART_KEY_ACCOUNT_SLA,
            "table",
            columns=(
                "period_month",
                "prov_name",
                "city_name",
                "group_cust_id",
                "circuit_id",
                "circuit_type_name",
                "sla_availability_pct",
                "availability_pct",
                "sla_restore_minutes",
                "max_restore_minutes",
            ),
            where=(Where("is_sla_breach", "SQL", "is_sla_breach"),),
            order_by=(("period_month", False), ("availability_pct", True)),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_KEY_ACCOUNT_SLA),
)


# ---- 客户洞察 (issue 20: 客户细分, 迁移, 生命周期价值) ------------------------------------------
LABELS.update(
    {
        "from_month": ("上月", "From month"),
        "to_month": ("本月", "To month"),
        "from_segment_id": ("上月细分编号", "From segment no."),
        "to_segment_id": ("本月细分编号", "To segment no."),
        "from_segment_name_zh": ("上月细分", "Segment last month"),
        "to_segment_name_zh": ("本月细分", "Segment this month"),
        "is_kept": ("保持原细分", "Kept the segment"),
        "segment_id": ("细分编号", "Segment no."),
        "segment_name_zh": ("客户细分", "Segment"),
        "value_tier_zh": ("价值等级", "Value tier"),
        "lifecycle_stage_zh": ("生命周期阶段", "Lifecycle stage"),
        "monthly_hazard": ("月流失风险", "Monthly churn hazard"),
        "arpu_3m_yuan": ("近三月平均ARPU（元）", "3-month ARPU (yuan)"),
        "arpu_trend": ("ARPU月趋势", "Monthly ARPU trend"),
        "clv_yuan": ("客户生命周期价值（元）", "Lifetime value (yuan)"),
        "expected_lifetime_months": ("预期在网月数", "Expected months in service"),
    }
)
_NUMBERS.update({"monthly_hazard", "arpu_trend", "expected_lifetime_months"})
_COUNTS.update({"from_segment_id", "to_segment_id", "segment_id"})
MART_SEGMENT_MIGRATION = dataset(
    "mart_segment_migration",
    "客户细分迁移：最新一对相邻月份，每省每个上月细分每个本月细分一行（户数）",
    "Segment migration between the two latest months, by province",
    "from_month to_month prov_code from_segment_id to_segment_id from_segment_name_zh "
    "to_segment_name_zh is_kept subscribers",
    time="to_month",
    sql=(
        "select * from main.mart_segment_migration "
        "where to_month = (select max(to_month) from main.mart_segment_migration)"
    ),
    extra_metrics=(
        m(
            "segment_subs",
            "sum(case when to_segment_id > 0 then subscribers end)",
            "本月细分用户数（户）",
            "Subscribers in the segment this month",
        ),
        m("moved_subs", "sum(subscribers)", "用户数（户）", "Subscribers"),
        m(
            "segment_kept_pct",
            "100.0 * sum(case when is_kept then subscribers end) / "
            "nullif(sum(case when from_segment_id > 0 and to_segment_id > 0 then subscribers end), 0)",
            "细分保持率（%）",
            "Kept their segment %",
            ",.1f",
        ),
    ),
)
MART_CUSTOMER_LIFETIME_VALUE = dataset(
    "mart_customer_lifetime_value",
    "客户生命周期价值：最新评分月每个用户一行（流失风险、ARPU趋势、36个月折现价值、细分）",
    "Customer lifetime value by scored subscriber",
    "score_month prov_code city_code segment_id segment_name_zh value_tier_zh lifecycle_stage_zh "
    "p_churn risk_decile monthly_hazard arpu_3m_yuan arpu_trend clv_yuan expected_lifetime_months",
    time="score_month",
    extra_metrics=(
        m("clv_subs", "count(*)", "用户数（户）", "Subscribers"),
        m("avg_clv", "avg(clv_yuan)", "户均生命周期价值（元）", "Mean lifetime value (yuan)"),
        m("total_clv", "sum(clv_yuan)", "生命周期价值合计（元）", "Total lifetime value (yuan)"),
        m("clv_mean_p_churn", "avg(p_churn)", "平均流失概率", "Mean churn probability", ".2%"),
        m(
            "avg_lifetime_months",
            "avg(expected_lifetime_months)",
            "平均预期在网月数",
            "Mean expected months in service",
            ",.1f",
        ),
    ),
)
CUSTOMER_INSIGHT = DashboardSpec(
    slug="customer-insight",
    title_zh="客户洞察",
    title_en="Customer insight",
    description_zh="全网客户细分的规模与保持率、上月到本月的细分迁移、各细分的客户生命周期价值。",
    description_en="Segment sizes and stability, month-to-month segment migration, lifetime value by segment.",
    charts=(
        ChartSpec(
            "segment_sizes",
            "本月客户细分规模（户）",
            "Subscribers per segment this month",
            MART_SEGMENT_MIGRATION,
            "bar",
            metric="segment_subs",
            groupby=("to_segment_name_zh",),
            where=(Where("to_segment_id", ">", 0),),
            ranked=True,
            width=6,
        ),
        ChartSpec(
            "segment_kept_by_province",
            "各省细分保持率（上月 → 本月）",
            "Share keeping their segment, by province",
            MART_SEGMENT_MIGRATION,
            "agg_table",
            groupby=("prov_name",),
            metrics=("segment_subs", "segment_kept_pct"),
            width=6,
        ),
        ChartSpec(
            "segment_migration_matrix",
            "客户细分迁移矩阵（上月细分 → 本月细分，户）",
            "Segment migration matrix (last month to this month)",
            MART_SEGMENT_MIGRATION,
            "agg_table",
            groupby=("from_segment_name_zh", "to_segment_name_zh"),
            metrics=("moved_subs",),
            width=12,
            height=70,
        ),
        ChartSpec(
            "clv_by_segment",
            "各细分客户生命周期价值（36个月折现）",
            "Lifetime value by segment (36 months, discounted)",
            MART_CUSTOMER_LIFETIME_VALUE,
            "agg_table",
            groupby=("segment_name_zh",),
            metrics=("clv_subs", "avg_clv", "total_clv", "clv_mean_p_churn", "avg_lifetime_months"),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_CUSTOMER_LIFETIME_VALUE),
)


# ---- 客户分析 / 套餐与业务使用 / 运营日监控 (issue 14: the marts no dashboard showed) -----------
LABELS.update(
    {
        # customers (客户) and the subscriber base by segment
        "customers": ("客户数", "Customers"),
        "individual_customers": ("个人客户数", "Individual customers"),
        "group_customers": ("政企客户数", "Enterprise customers"),
        "family_customers": ("家庭客户数", "Family customers"),
        "group_member_customers": ("集团成员客户数", "Group-member customers"),
        "segment_type": ("分群维度编码", "Segment type code"),
        "segment_value": ("分群编码", "Segment code"),
        "segment_type_name": ("分群维度", "Segment type"),
        "segment_name": ("客户分群", "Segment"),
        "total_subs": ("在网用户", "Subscribers in service"),
        "stable_subs": ("稳定用户", "Stable subscribers"),
        "active_subs": ("活跃用户", "Active subscribers"),
        "stable_share_pct": ("稳定用户占比（%）", "Stable share %"),
        # key accounts (集团客户 / 重点客户)
        "member_customers": ("成员客户数", "Member customers"),
        "member_subs": ("成员用户数", "Member subscribers"),
        "new_member_subs": ("新增成员用户", "New member subscribers"),
        "churned_member_subs": ("离网成员用户", "Churned member subscribers"),
        "is_key_account": ("重点客户", "Key account"),
        # high-value subscribers at risk (高价值风险用户)
        "high_value_subs": ("高价值用户", "High-value subscribers"),
        "at_risk_subs": ("高价值风险用户", "High-value subscribers at risk"),
        "at_risk_revenue_yuan": ("风险用户收入（元）", "Revenue of those at risk (yuan)"),
        "high_value_share_pct": ("高价值用户占比（%）", "High-value share %"),
        "at_risk_share_pct": ("风险用户占比（%）", "At-risk share %"),
        "behaviour_segment": ("行为分群编码", "Behaviour segment code"),
        "behaviour_segment_name": ("行为分群", "Behaviour segment"),
        "tenure_months": ("在网时长（月）", "Tenure (months)"),
        "revenue_3m_avg_yuan": ("近3月平均收入（元）", "3-month average revenue (yuan)"),
        "complaints_3m": ("近3月投诉次数", "Complaints in 3 months"),
        "churn_probability": ("流失概率", "Churn probability"),
        "signal_cnt": ("风险信号数", "Risk signals"),
        "has_usage_drop": ("使用量骤降", "Usage drop"),
        "has_revenue_drop": ("收入下降", "Revenue drop"),
        "has_arrears": ("有欠费", "Arrears"),
        "has_recent_complaints": ("近期投诉", "Recent complaints"),
        "has_contract_ending": ("合约到期", "Contract ending"),
        "is_at_risk": ("风险用户", "At risk"),
        "signals_zh": ("风险信号", "Risk signals"),
        "net_type_name": ("网络类型", "Network"),
    }
)
_COUNTS |= {
    "customers", "individual_customers", "group_customers", "family_customers",
    "group_member_customers", "total_subs", "stable_subs", "active_subs", "member_customers",
    "member_subs", "new_member_subs", "churned_member_subs", "high_value_subs", "at_risk_subs",
    "tenure_months", "complaints_3m", "signal_cnt",
}  # fmt: skip
_NUMBERS |= {"churn_probability"}
NAME_COLUMNS.update(
    {
        # a segment's name, looked up in the list its segment_type says
        "segment_type_name": (("segment_type",), decode("segment_type", "segment_type")),
        "segment_name": (
            ("segment_type", "segment_value"),
            _decode_by(
                "segment_type",
                "segment_value",
                {
                    "total": "customer_segment",
                    "behaviour": "behaviour_segment",
                    "cust_type": "customer_type",
                    "value": "value_segment",
                    "group": "group_segment",
                },
            ),
        ),
        "behaviour_segment_name": (
            ("behaviour_segment",),
            decode("behaviour_segment", "behaviour_segment"),
        ),
        "net_type_name": (
            ("net_type",),
            f"case when net_type = 'all' then '全部网络' else {decode('net_type', 'net_type')} end",
        ),
    }
)


def _with_latest_month(table: str) -> str:
    """``table`` with ``is_latest_month`` (its latest month): a stock (subscribers, customers)
    is read at one month, never summed over the months of the period."""
    return (
        f"select *, period_month = (select max(period_month) from main.{table}) "
        f"as is_latest_month from main.{table}"
    )


LATEST_MONTH = Where("is_latest_month", "SQL", "is_latest_month")

MART_CUSTOMER_COUNT = dataset(
    "mart_customer_count_month",
    "客户数：每月每个区域一行（有在网用户的客户，按个人/政企/家庭，集团成员客户）",
    "Customers with a subscriber in service, by region and month",
    f"{REGION} customers individual_customers group_customers family_customers "
    "group_member_customers is_latest_month",
    sql=_with_latest_month("mart_customer_count_month"),
    extra_metrics=(
        m("cc_individual", "sum(individual_customers)", "个人客户数", "Individual customers"),
        m("cc_family", "sum(family_customers)", "家庭客户数", "Family customers"),
        m("cc_group", "sum(group_customers)", "政企客户数", "Enterprise customers"),
        m("cc_members", "sum(group_member_customers)", "集团成员客户数", "Group-member customers"),
    ),
)
MART_CUSTOMER_BASE = dataset(
    "mart_customer_base_month",
    "用户规模：每月每个区域每个分群一行（在网、新增、稳定、活跃、离网，分群离网率）",
    "Subscriber base by region, month and segment (total, behaviour, customer type, value, group)",
    f"{REGION} segment_type segment_value total_subs new_subs stable_subs active_subs "
    "opening_subs churned_subs stable_share_pct churn_rate_pct is_latest_month",
    sql=_with_latest_month("mart_customer_base_month"),
    name_columns="segment_type_name segment_name",
    extra_metrics=(
        m("cb_total_subs", "sum(total_subs)", "在网用户", "Subscribers in service"),
        m("cb_new_subs", "sum(new_subs)", "新增用户", "New subscribers"),
        m("cb_stable_subs", "sum(stable_subs)", "稳定用户", "Stable subscribers"),
        m("cb_churned_subs", "sum(churned_subs)", "离网用户", "Churned subscribers"),
        m(
            "cb_churn_rate",
            "100.0 * sum(churned_subs) / nullif(sum(opening_subs), 0)",
            "离网率（%）",
            "Churn rate %",
            ",.2f",
        ),
        m(
            "cb_stable_share",
            "100.0 * sum(stable_subs) / nullif(sum(total_subs), 0)",
            "稳定用户占比（%）",
            "Stable share %",
            ",.1f",
        ),
    ),
)
MART_KEY_ACCOUNTS = dataset(
    "mart_key_accounts_month",
    "集团客户：每个集团客户每月一行（成员、收入、欠费、新增与离网成员、重点客户标记）；名称已脱敏",
    "Group customers by month: members, revenue, arrears, key-account flag (names masked)",
    "period_month group_cust_id cust_name_masked prov_code city_code member_customers "
    "member_subs new_member_subs churned_member_subs revenue_yuan arrears_yuan arpu_yuan "
    "revenue_yuan_mom_pct revenue_yuan_yoy_pct is_key_account is_latest_month",
    sql=(
        "select a.*, c.cust_name_masked, a.period_month = (select max(period_month) from "
        "main.mart_key_accounts_month) as is_latest_month from main.mart_key_accounts_month as a "
        "left join (select cust_id, cust_name_masked from main.dim_customer where is_current) "
        "as c on c.cust_id = a.group_cust_id"
    ),
    extra_metrics=(
        m("ka_groups", "count(*)", "集团客户数", "Group customers", ",d"),
        m(
            "ka_key_accounts",
            "count(case when is_key_account then 1 end)",
            "重点客户数",
            "Key accounts",
            ",d",
        ),
        m("ka_member_subs", "sum(member_subs)", "成员用户数", "Member subscribers", ",d"),
        m("ka_revenue", "sum(revenue_yuan)", "集团客户收入（元）", "Revenue (yuan)"),
    ),
)
MART_HIGH_VALUE_SUMMARY = dataset(
    "mart_high_value_summary",
    "高价值用户：最新月每个区域一行（在网、高价值、风险用户及占比）",
    "High-value subscribers and those at risk, latest month, by region",
    f"{REGION} subs_in_service high_value_subs at_risk_subs at_risk_revenue_yuan "
    "high_value_share_pct at_risk_share_pct",
    extra_metrics=(
        m("hv_subs", "sum(subs_in_service)", "在网用户", "Subscribers in service", ",d"),
        m("hv_high_value", "sum(high_value_subs)", "高价值用户", "High-value subscribers", ",d"),
        m(
            "hv_share",
            "100.0 * sum(high_value_subs) / nullif(sum(subs_in_service), 0)",
            "高价值用户占比（%）",
            "High-value share %",
            ",.1f",
        ),
        m(
            "hv_at_risk_revenue",
            "sum(at_risk_revenue_yuan)",
            "风险用户收入（元）",
            "At-risk revenue",
        ),
    ),
)
# Personal data never in clear: the at-risk list shows the masked number (dim_subscriber), not
# the subscriber or customer id.
MART_HIGH_VALUE_AT_RISK = dataset(
    "mart_high_value_at_risk",
    "高价值风险用户：最新月每个高价值在网用户一行（价值、风险信号、流失概率）；号码已脱敏",
    "High-value subscribers of the latest month with their risk signals (numbers masked)",
    "period_month prov_code city_code msisdn_masked package_code net_type behaviour_segment "
    "tenure_months revenue_yuan revenue_3m_avg_yuan arrears_yuan complaints_3m "
    "churn_probability signal_cnt signals_zh is_at_risk",
    sql=(
        "select r.period_month, r.prov_code, r.city_code, s.msisdn_masked, r.package_code, "
        "r.net_type, r.behaviour_segment, r.tenure_months, r.revenue_yuan, "
        "r.revenue_3m_avg_yuan, r.arrears_yuan, r.complaints_3m, r.churn_probability, "
        "r.signal_cnt, coalesce(nullif(concat_ws('、', "
        "case when r.has_usage_drop then '使用量骤降' end, "
        "case when r.has_revenue_drop then '收入下降' end, "
        "case when r.has_arrears then '有欠费' end, "
        "case when r.has_recent_complaints then '近期投诉' end, "
        "case when r.has_contract_ending then '合约到期' end), ''), "
        # at risk without two signals is at risk by the churn model alone (the mart's rule)
        "case when r.is_at_risk then '流失概率高' else '无' end) as signals_zh, r.is_at_risk "
        "from main.mart_high_value_at_risk as r left join (select subs_id, msisdn_masked "
        "from main.dim_subscriber where is_current) as s on s.subs_id = r.subs_id"
    ),
    name_columns="package_name behaviour_segment_name",
    extra_metrics=(
        m("hvr_subs", "count(*)", "高价值用户", "High-value subscribers", ",d"),
        m(
            "hvr_at_risk",
            "count(case when is_at_risk then 1 end)",
            "高价值风险用户",
            "At risk",
            ",d",
        ),
    ),
)
# VIP customers (星级客户) by tier: no mart holds them, so this SELECT counts the customers of the
# subscriber-month fact as mart_customer_count_month does (a customer with a subscriber in service
# at month end, once, in the city of its customer record valid in the month) by the record's tier.
V_VIP_CUSTOMERS = dataset(
    "v_vip_customers",
    "星级客户：每月每个地市每个客户星级一行（客户数、在网用户、收入；由 fct_subscriber_month 与 dim_customer）",
    "Customers by VIP tier, city and month (from fct_subscriber_month and dim_customer)",
    "period_month prov_code city_code vip_level customers total_subs revenue_yuan is_latest_month",
    sql=(
        "select s.month_start as period_month, coalesce(c.prov_code, s.prov_code) as prov_code, "
        "coalesce(c.city_code, s.city_code) as city_code, coalesce(c.vip_level, '0') as vip_level, "
        "count(distinct s.cust_id) as customers, count(*) as total_subs, "
        "sum(s.revenue_yuan) as revenue_yuan, "
        "s.month_start = (select max(month_start) from main.fct_subscriber_month) "
        "as is_latest_month "
        "from main.fct_subscriber_month as s left join main.dim_customer as c "
        "on c.cust_id = s.cust_id and c.valid_from <= s.month_start and c.valid_to > s.month_start "
        "where s.is_in_service group by all"
    ),
    name_columns="vip_level_name",
    extra_metrics=(
        m("vip_customers", "sum(customers)", "客户数", "Customers", ",d"),
        m("vip_subs", "sum(total_subs)", "在网用户", "Subscribers in service", ",d"),
        m("vip_revenue", "sum(revenue_yuan)", "出账收入（元）", "Billed revenue (yuan)"),
        m(
            "vip_arpu",
            "sum(revenue_yuan) / nullif(sum(total_subs), 0)",
            "户均收入（元/户）",
            "Revenue per subscriber (yuan)",
            ",.2f",
        ),
    ),
)
SEG_TOTAL = Where("segment_type", "==", "total")
KEY_ACCOUNT = Where("is_key_account", "SQL", "is_key_account")

# ---- 自助分析: the subscriber-month fact as a conformed dataset (issue 15, 临时报表) -------------
# One row per subscriber and month, without the subscriber's or customer's id (personal data
# never reaches a dashboard), for province and city analysts to explore, group, filter and export
# under row-level security (prov_code / city_code), as they do the marts.
for _name, _label in {
    "county_code": ("区县编码", "County code"),
    "dou_mb": ("流量（MB）", "Data (MB)"),
    "active_days": ("活跃天数", "Active days"),
    "complaint_cnt": ("投诉次数", "Complaints"),
    "is_new": ("新入网", "New this month"),
    "is_in_service": ("月末在网", "In service at month end"),
    "is_active": ("活跃用户", "Active"),
    "is_silent": ("沉默用户", "Silent"),
    "is_churned": ("当月离网", "Churned this month"),
    "is_5g_terminal": ("5G终端", "5G terminal"),
    "tenure_months": ("在网月数", "Months in service"),
}.items():
    LABELS.setdefault(_name, _label)  # the labels other datasets already give stay theirs
_COUNTS.update({"active_days", "complaint_cnt", "tenure_months"})
V_SUBSCRIBER_MONTH = dataset(
    "v_subscriber_month",
    "用户月明细（自助分析）：每个用户每月一行（不含用户与客户编号），套餐、网络、付费类型、出账收入、MOU、流量、欠费、在网/新增/离网标志",
    "Subscriber-month detail for ad-hoc analysis (no subscriber or customer ids)",
    "period_month prov_code city_code county_code package_code pay_type net_type arpu_band "
    "tenure_months revenue_yuan mou dou_mb active_days arrears_yuan complaint_cnt is_new "
    "is_in_service is_active is_silent is_churned is_5g_terminal",
    sql=(
        "select month_start as period_month, prov_code, city_code, county_code, package_code, "
        "pay_type, net_type, arpu_band, tenure_months, revenue_yuan, mou, dou_mb, active_days, "
        "arrears_yuan, complaint_cnt, is_new, is_in_service, is_active, is_silent, is_churned, "
        "is_5g_terminal from main.fct_subscriber_month"
    ),
    name_columns="package_name net_type_name",
    extra_metrics=(
        m(
            "sm_in_service",
            "count(case when is_in_service then 1 end)",
            "月末在网用户（户）",
            "Subscribers in service",
        ),
        m("sm_new", "count(case when is_new then 1 end)", "新入网用户（户）", "New subscribers"),
        m(
            "sm_churned",
            "count(case when is_churned then 1 end)",
            "离网用户（户）",
            "Churned subscribers",
        ),
        m("sm_revenue", "sum(revenue_yuan)", "出账收入（元）", "Billed revenue (yuan)", ",.2f"),
    ),  # fmt: skip
)
SUBSCRIBER_MONTH_TABLE = ChartSpec(
    "subscriber_month_adhoc",
    "用户月明细汇总（自助分析数据集“用户月明细”，可在探索中按任意维度分组、筛选、导出）",
    "Subscriber-month detail by month (the ad-hoc dataset; explore it by any dimension)",
    V_SUBSCRIBER_MONTH,
    "agg_table",
    groupby=("period_month",),
    metrics=("sm_in_service", "sm_new", "sm_churned", "sm_revenue"),
    order_by=(("period_month", False),),
    width=12,
)


CUSTOMER_ANALYSIS = DashboardSpec(
    slug="customer-analysis",
    title_zh="客户分析",
    title_en="Customer analysis",
    description_zh="客户数（个人/政企/家庭）；在网、新增、稳定、离网用户；行为分群与价值分群；星级客户；集团与重点客户；高价值风险用户（号码脱敏）。",
    description_en="Customers; subscribers in service, new, stable, churned; behaviour and value segments; key accounts; high-value subscribers at risk (masked).",
    charts=(
        big_number("CUSTOMERS", MART_CUSTOMER_COUNT, "CUSTOMERS", PROVINCE_ROWS),
        big_number("GROUP_CUSTOMERS", MART_CUSTOMER_COUNT, "GROUP_CUSTOMERS", PROVINCE_ROWS),
        big_number("STABLE_SHARE", MART_CUSTOMER_BASE, "STABLE_SHARE", PROVINCE_ROWS),
        big_number("HV_CHURN_RATE", MART_CUSTOMER_BASE, "HV_CHURN_RATE", PROVINCE_ROWS),
        ChartSpec(
            "customer_base_latest",
            "用户规模：在网、新增、稳定、离网（最新月）",
            "Subscribers in service, new, stable and churned, latest month",
            MART_CUSTOMER_BASE,
            "agg_table",
            groupby=("region_name",),
            metrics=(
                "cb_total_subs",
                "cb_new_subs",
                "cb_stable_subs",
                "cb_churned_subs",
                "cb_churn_rate",
                "cb_stable_share",
            ),
            where=(PROVINCE_ROWS, SEG_TOTAL, LATEST_MONTH),
        ),
        ChartSpec(
            "customers_by_type",
            "客户构成：个人、政企、家庭（最新月）",
            "Customers by type, latest month",
            MART_CUSTOMER_COUNT,
            "agg_table",
            groupby=("region_name",),
            metrics=("CUSTOMERS", "cc_individual", "cc_group", "cc_family", "cc_members"),
            where=(PROVINCE_ROWS, LATEST_MONTH),
        ),
        ChartSpec(
            "customers_trend",
            "客户数月度趋势",
            "Customers by month",
            MART_CUSTOMER_COUNT,
            "line",
            metric="CUSTOMERS",
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "behaviour_segment_trend",
            "行为分群：在网用户月度趋势",
            "Subscribers by behaviour segment and month",
            MART_CUSTOMER_BASE,
            "line",
            metric="cb_total_subs",
            groupby=("segment_name",),
            where=(PROVINCE_ROWS, Where("segment_type", "==", "behaviour")),
        ),
        ChartSpec(
            "behaviour_segment_share",
            "行为分群结构（最新月）",
            "Behaviour segments, latest month",
            MART_CUSTOMER_BASE,
            "pie",
            metric="cb_total_subs",
            groupby=("segment_name",),
            where=(PROVINCE_ROWS, Where("segment_type", "==", "behaviour"), LATEST_MONTH),
        ),
        ChartSpec(
            "customer_segments",
            "客户分群：规模、新增、稳定与离网（最新月）",
            "Segments: size, new, stable, churned, latest month",
            MART_CUSTOMER_BASE,
            "agg_table",
            groupby=("segment_type_name", "segment_name"),
            metrics=(
                "cb_total_subs",
                "cb_new_subs",
                "cb_stable_subs",
                "cb_churned_subs",
                "cb_churn_rate",
                "cb_stable_share",
            ),
            where=(PROVINCE_ROWS, Where("segment_type", "NOT IN", ("total",)), LATEST_MONTH),
            width=12,
        ),
        ChartSpec(
            "vip_customers",
            "星级客户：各星级客户数、在网用户与收入（最新月）",
            "Customers by VIP tier, latest month",
            V_VIP_CUSTOMERS,
            "agg_table",
            groupby=("vip_level_name",),
            metrics=("vip_customers", "vip_subs", "vip_revenue", "vip_arpu"),
            where=(LATEST_MONTH,),
        ),
        ChartSpec(
            "key_accounts_trend",
            "重点客户数月度趋势",
            "Key accounts by month",
            MART_KEY_ACCOUNTS,
            "line",
            metric="ka_key_accounts",
        ),
        ChartSpec(
            "key_accounts_by_province",
            "集团客户与重点客户（最新月）",
            "Group customers and key accounts, latest month",
            MART_KEY_ACCOUNTS,
            "agg_table",
            groupby=("prov_name",),
            metrics=("ka_groups", "ka_key_accounts", "ka_member_subs", "ka_revenue"),
            where=(LATEST_MONTH,),
        ),
        ChartSpec(
            "key_account_list",
            "重点客户清单（最新月，名称脱敏）",
            "Key accounts, latest month (names masked)",
            MART_KEY_ACCOUNTS,
            "table",
            columns=(
                "prov_name",
                "city_name",
                "group_cust_id",
                "cust_name_masked",
                "member_customers",
                "member_subs",
                "new_member_subs",
                "churned_member_subs",
                "revenue_yuan",
                "revenue_yuan_mom_pct",
                "arrears_yuan",
            ),
            where=(KEY_ACCOUNT, LATEST_MONTH),
            order_by=(("revenue_yuan", False),),
            width=12,
        ),
        ChartSpec(
            "high_value_summary",
            "高价值用户与风险用户（最新月）",
            "High-value subscribers and those at risk, latest month",
            MART_HIGH_VALUE_SUMMARY,
            "agg_table",
            groupby=("region_name",),
            metrics=(
                "hv_subs",
                "hv_high_value",
                "hv_share",
                "HV_AT_RISK",
                "HV_AT_RISK_SHARE",
                "hv_at_risk_revenue",
            ),
            where=(PROVINCE_ROWS,),
            width=12,
        ),
        ChartSpec(
            "high_value_at_risk_list",
            "高价值风险用户清单（号码脱敏）",
            "High-value subscribers at risk (numbers masked)",
            MART_HIGH_VALUE_AT_RISK,
            "table",
            columns=(
                "prov_name",
                "city_name",
                "msisdn_masked",
                "package_name",
                "behaviour_segment_name",
                "tenure_months",
                "revenue_yuan",
                "revenue_3m_avg_yuan",
                "arrears_yuan",
                "churn_probability",
                "signal_cnt",
                "signals_zh",
            ),
            where=(Where("is_at_risk", "SQL", "is_at_risk"),),
            order_by=(("signal_cnt", False), ("revenue_yuan", False)),
            width=12,
        ),
        SUBSCRIBER_MONTH_TABLE,
    ),  # fmt: skip
    filters=geo_filters(MART_CUSTOMER_BASE),
)


# ---- 套餐与业务使用 -----------------------------------------------------------------------------
LABELS.update(
    {
        "silent_subs": ("沉默用户", "Silent subscribers"),
        "subs_5g_package": ("5G套餐用户", "5G package subscribers"),
        "subs_5g_terminal": ("5G终端用户", "5G terminal subscribers"),
        "mou_total": ("通话分钟数", "Voice minutes"),
        "data_mb_total": ("流量（MB）", "Data (MB)"),
        "active_rate_pct": ("活跃用户占比（%）", "Active share %"),
        "silent_rate_pct": ("沉默用户占比（%）", "Silent share %"),
        "penetration_5g_pct": ("5G套餐渗透率（%）", "5G package penetration %"),
        "terminal_5g_pct": ("5G终端渗透率（%）", "5G terminal penetration %"),
        "mou_mom_pct": ("MOU环比（%）", "MOU MoM %"),
        "dou_gb_mom_pct": ("DOU环比（%）", "DOU MoM %"),
        "dou_gb_yoy_pct": ("DOU同比（%）", "DOU YoY %"),
        "from_package_code": ("迁出套餐编码", "From package code"),
        "to_package_code": ("迁入套餐编码", "To package code"),
        "from_package_name": ("迁出套餐", "From package"),
        "to_package_name": ("迁入套餐", "To package"),
        "direction": ("迁移方向编码", "Direction code"),
        "direction_name": ("迁移方向", "Direction"),
        "migrated_subs": ("迁移用户", "Migrated subscribers"),
        "revenue_before_yuan": ("迁移前收入（元）", "Revenue before (yuan)"),
        "revenue_after_yuan": ("迁移后收入（元）", "Revenue after (yuan)"),
        "arpu_before_yuan": ("迁移前ARPU（元/户）", "ARPU before"),
        "arpu_after_yuan": ("迁移后ARPU（元/户）", "ARPU after"),
    }
)
_COUNTS |= {"silent_subs", "subs_5g_package", "subs_5g_terminal", "migrated_subs"}
_NUMBERS |= {"mou_total", "data_mb_total"}
NAME_COLUMNS.update(
    {
        "from_package_name": (("from_package_code",), decode("from_package_code", "package")),
        "to_package_name": (("to_package_code",), decode("to_package_code", "package")),
        "direction_name": (("direction",), decode("direction", "migration_direction")),
    }
)
NETWORK_ROWS = Where("net_type", "NOT IN", ("all",))
MART_USAGE = dataset(
    "mart_usage_month",
    "业务使用：每月每个区域每种网络一行（MOU、DOU、活跃与沉默占比、5G渗透率）",
    "Usage by region, month and network: MOU, DOU, active and silent shares, 5G penetration",
    f"{REGION} net_type opening_subs subs_in_service avg_subs active_subs silent_subs "
    "subs_5g_package subs_5g_terminal mou_total data_mb_total mou dou_gb active_rate_pct "
    "silent_rate_pct penetration_5g_pct terminal_5g_pct mou_mom_pct dou_gb_mom_pct "
    "dou_gb_yoy_pct is_latest_month",
    sql=_with_latest_month("mart_usage_month"),
    name_columns="net_type_name",
    extra_metrics=(
        m("use_subs", "sum(subs_in_service)", "在网用户", "Subscribers in service", ",d"),
        # MOU and DOU per average subscriber, as the mart computes them (docs/warehouse.md)
        m(
            "use_mou",
            "sum(mou_total) / nullif(sum(avg_subs), 0)",
            "MOU（分钟/户）",
            "MOU (minutes per subscriber)",
            ",.1f",
        ),
        m(
            "use_dou",
            "sum(data_mb_total) / 1024.0 / nullif(sum(avg_subs), 0)",
            "DOU（GB/户）",
            "DOU (GB per subscriber)",
            ",.2f",
        ),
        m(
            "use_active_rate",
            "100.0 * sum(active_subs) / nullif(sum(subs_in_service), 0)",
            "活跃用户占比（%）",
            "Active share %",
            ",.1f",
        ),
        m(
            "use_terminal_5g",
            "100.0 * sum(subs_5g_terminal) / nullif(sum(subs_in_service), 0)",
            "5G终端渗透率（%）",
            "5G terminal penetration %",
            ",.1f",
        ),
        m(
            "use_silent_rate",
            "100.0 * sum(silent_subs) / nullif(sum(subs_in_service), 0)",
            "沉默用户占比（%）",
            "Silent share %",
            ",.1f",
        ),
    ),
)
# The package base (套餐用户规模): mart_development_month's package rows, with the latest month
# marked (a stock is read at one month).
RPT_PACKAGE_BASE = dataset(
    "v_package_base",
    "套餐用户规模：每月每个区域每个套餐一行（期初、新增、离网、期末、净增；由 mart_development_month 取套餐维度）",
    "Package base by region, month and package (from mart_development_month)",
    f"{REGION} package_code opening_subs new_subs churned_subs closing_subs net_adds "
    "churn_rate_pct is_latest_month",
    sql=(
        "select period_month, region_level, region_code, prov_code, "
        "breakdown_value as package_code, opening_subs, new_subs, churned_subs, closing_subs, "
        "net_adds, churn_rate_pct, period_month = (select max(period_month) from "
        "main.mart_development_month) as is_latest_month from main.mart_development_month "
        "where breakdown_type = 'package'"
    ),
    name_columns="package_name",
    extra_metrics=(
        m("pb_closing", "sum(closing_subs)", "期末在网", "Closing subscribers", ",d"),
        m("pb_new", "sum(new_subs)", "新增用户", "New subscribers", ",d"),
        m("pb_churned", "sum(churned_subs)", "离网用户", "Churned subscribers", ",d"),
        m("pb_net_adds", "sum(net_adds)", "净增", "Net adds", ",d"),
    ),
)
MART_PACKAGE_MIGRATION = dataset(
    "mart_package_migration_month",
    "套餐迁移：每月每个区域每对（迁出套餐、迁入套餐、方向）一行，迁移用户及迁移前后收入",
    "Package migration by region and month: from / to package, direction, revenue before and after",
    f"{REGION} from_package_code to_package_code direction migrated_subs revenue_before_yuan "
    "revenue_after_yuan revenue_change_yuan arpu_before_yuan arpu_after_yuan",
    name_columns="from_package_name to_package_name direction_name",
    extra_metrics=(
        m("mig_subs", "sum(migrated_subs)", "迁移用户", "Migrated subscribers", ",d"),
        m("mig_revenue_change", "sum(revenue_change_yuan)", "收入变动（元）", "Revenue change"),
    ),
)

# MOU and DOU by package: no mart has them, so this SELECT aggregates the subscriber-month fact
# by package with the marts' 口径 (per average subscriber, (期初 + 期末) / 2, 期初 = in the
# month's snapshot and not new; docs/warehouse.md "Definitions").
V_PACKAGE_USAGE = dataset(
    "v_package_usage",
    "套餐使用：每月每个地市每个套餐一行（期初、期末在网，通话分钟数、流量；由 fct_subscriber_month 汇总）",
    "Usage by package, city and month (aggregated from fct_subscriber_month)",
    "period_month prov_code city_code package_code opening_subs subs_in_service mou_total "
    "data_mb_total",
    sql=(
        "select month_start as period_month, prov_code, city_code, package_code, "
        "count(case when is_in_snapshot and not is_new then 1 end) as opening_subs, "
        "count(case when is_in_service then 1 end) as subs_in_service, "
        "sum(mou) as mou_total, sum(dou_mb) as data_mb_total "
        "from main.fct_subscriber_month group by month_start, prov_code, city_code, package_code"
    ),
    name_columns="package_name",
    extra_metrics=(
        m(
            "pu_mou",
            "2.0 * sum(mou_total) / nullif(sum(opening_subs) + sum(subs_in_service), 0)",
            "MOU（分钟/户）",
            "MOU (minutes per subscriber)",
            ",.1f",
        ),
        m(
            "pu_dou",
            "2.0 * sum(data_mb_total) / 1024.0"
            " / nullif(sum(opening_subs) + sum(subs_in_service), 0)",
            "DOU（GB/户）",
            "DOU (GB per subscriber)",
            ",.2f",
        ),
    ),
)

PACKAGE_USAGE = DashboardSpec(
    slug="package-usage",
    title_zh="套餐与业务使用",
    title_en="Packages and usage",
    description_zh="套餐用户规模、套餐迁移矩阵（升档/降档/平移）；MOU、DOU按网络类型与套餐；5G渗透率、活跃与沉默用户。",
    description_en="Package base, the package migration matrix (up / down / same); MOU and DOU by network; 5G penetration, active and silent shares.",
    charts=(
        big_number("PEN_5G", MART_USAGE, "PEN_5G", PROVINCE_ROWS),
        big_number("MOU", MART_USAGE, "MOU", PROVINCE_ROWS),
        big_number("DOU", MART_USAGE, "DOU", PROVINCE_ROWS),
        big_number("PKG_UPGRADES", MART_PACKAGE_MIGRATION, "PKG_UPGRADES", PROVINCE_ROWS),
        ChartSpec(
            "package_base",
            "套餐在网用户（最新月）",
            "Subscribers in service by package, latest month",
            RPT_PACKAGE_BASE,
            "bar",
            metric="pb_closing",
            groupby=("package_name",),
            where=(PROVINCE_ROWS, LATEST_MONTH),
            ranked=True,
        ),
        ChartSpec(
            "package_base_table",
            "套餐用户发展（最新月）",
            "Package base: new, churned, net adds, latest month",
            RPT_PACKAGE_BASE,
            "agg_table",
            groupby=("package_name",),
            metrics=("pb_closing", "pb_new", "pb_churned", "pb_net_adds"),
            where=(PROVINCE_ROWS, LATEST_MONTH),
        ),
        ChartSpec(
            "package_migration_matrix",
            "套餐迁移矩阵：迁出套餐 → 迁入套餐（统计期内）",
            "Package migration matrix: from package to package",
            MART_PACKAGE_MIGRATION,
            "agg_table",
            groupby=("from_package_name", "to_package_name", "direction_name"),
            metrics=("mig_subs", "mig_revenue_change"),
            where=(PROVINCE_ROWS,),
            width=8,
            height=70,
        ),
        ChartSpec(
            "package_migration_direction",
            "套餐迁移方向（统计期内）",
            "Migrations by direction",
            MART_PACKAGE_MIGRATION,
            "pie",
            metric="mig_subs",
            groupby=("direction_name",),
            where=(PROVINCE_ROWS,),
            width=4,
            height=70,
        ),
        ChartSpec(
            "mou_trend",
            "MOU月度趋势（分钟/户）",
            "MOU by month",
            MART_USAGE,
            "line",
            metric="MOU",
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "dou_by_network_trend",
            "DOU月度趋势：按网络类型（GB/户）",
            "DOU by network and month",
            MART_USAGE,
            "line",
            metric="use_dou",
            groupby=("net_type_name",),
            where=(PROVINCE_ROWS, NETWORK_ROWS),
        ),
        ChartSpec(
            "terminal_5g_trend",
            "5G终端渗透率月度趋势（%）",
            "5G terminal penetration by month",
            MART_USAGE,
            "line",
            metric="PEN_5G_TERMINAL",
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "silent_rate_trend",
            "沉默用户占比月度趋势（%）",
            "Silent share by month",
            MART_USAGE,
            "line",
            metric="SILENT_RATE",
            where=(PROVINCE_ROWS,),
        ),
        ChartSpec(
            "usage_by_package",
            "各套餐MOU与DOU（统计期内每月户均）",
            "MOU and DOU by package over the period",
            V_PACKAGE_USAGE,
            "agg_table",
            groupby=("package_name",),
            metrics=("pu_mou", "pu_dou"),
            width=12,
        ),
        ChartSpec(
            "usage_by_network",
            "各网络类型业务使用（最新月）",
            "Usage by network, latest month",
            MART_USAGE,
            "agg_table",
            groupby=("net_type_name",),
            metrics=(
                "use_subs",
                "use_mou",
                "use_dou",
                "use_active_rate",
                "use_silent_rate",
                "use_terminal_5g",
            ),
            where=(PROVINCE_ROWS, LATEST_MONTH),
            width=12,
        ),
    ),  # fmt: skip
    filters=geo_filters(MART_USAGE),
)


# ---- 运营日监控: the seven daily monitors (总体, 发展, 收入, 话务, 基站, 缴费, 营业) -------------
LABELS.update({"is_latest_day": ("最新日", "Latest day")})


def _daily_kpi_sum(code: str, name: str, zh: str, en: str) -> MetricSpec:
    """A summed daily KPI the indicator catalogue does not list (payments counted, minutes)."""
    return m(name, f"sum(case when kpi_code = '{code}' then numerator end)", zh, en)


RPT_DAILY_MONITOR = dataset(
    "v_daily_monitor",
    "运营日监控（近60天）：每天每个区域每个KPI一行，标出最新日（由 mart_daily_kpi_recent）",
    "Daily KPIs of the last 60 days with the latest day marked (from mart_daily_kpi_recent)",
    f"{DAILY_KPI_COLUMNS} is_latest_day",
    sql=(
        "select *, stat_date = (select max(stat_date) from main.mart_daily_kpi_recent) "
        "as is_latest_day from main.mart_daily_kpi_recent"
    ),
    time="stat_date",
    catalogue_table="mart_daily_kpi",
    name_columns="kpi_name",
    extra_metrics=(
        _daily_kpi_sum("payment_cnt", "dm_payment_cnt", "缴费笔数", "Payments (count)"),
        _daily_kpi_sum("usage_mou", "dm_usage_mou", "通话分钟数", "Voice minutes"),
        _daily_kpi_sum("usage_data_gb", "dm_usage_data_gb", "用户流量（GB）", "Data (GB)"),
    ),
)


def daily_line(key: str, monitor: str, title: str, metric: str, *, width: int = 6) -> ChartSpec:
    """One KPI of one monitor by day over the last 60 days: the sum over the provinces the
    reader may see (national for 总部, its own for a province), one line."""
    return ChartSpec(
        key,
        f"{monitor}：{title}（近60天）",
        f"{monitor} daily monitor: {key}",
        RPT_DAILY_MONITOR,
        "line",
        metric=metric,
        where=(PROVINCE_ROWS,),
        time_grain="P1D",
        width=width,
    )


DAILY_MONITORS = DashboardSpec(
    slug="daily-monitors",
    title_zh="运营日监控",
    title_en="Daily monitors",
    description_zh="七个日监控：总体（最新日全部KPI及较前日、较上周、异常）、发展、收入、话务、基站、缴费、营业。",
    description_en="The seven daily monitors: overall, development, revenue, traffic, base stations, payments, business halls.",
    charts=(
        ChartSpec(
            "daily_monitor_overall",
            "总体：最新日各KPI（较前日、较上周同日、异常与未达标）",
            "Overall: every KPI of the latest day",
            RPT_DAILY_MONITOR,
            "table",
            columns=(
                "stat_date",
                "prov_name",
                "kpi_name",
                "kpi_value",
                "dod_pct",
                "wow_pct",
                "baseline_mean",
                "is_anomaly",
                "is_target_breach",
            ),
            where=(PROVINCE_ROWS, Where("is_latest_day", "SQL", "is_latest_day")),
            order_by=(("prov_name", True), ("kpi_name", True)),
            width=12,
            height=70,
        ),
        daily_line("daily_monitor_new_subs", "发展", "日新增用户", "D_NEW_SUBS"),
        daily_line("daily_monitor_churned_subs", "发展", "日离网用户", "D_CHURNED_SUBS"),
        daily_line("daily_monitor_topup", "收入", "日充值金额（元）", "D_TOPUP", width=12),
        daily_line("daily_monitor_data_traffic", "话务", "小区数据流量（GB）", "D_DATA_TRAFFIC"),
        daily_line("daily_monitor_voice_minutes", "话务", "通话分钟数", "dm_usage_mou"),
        daily_line("daily_monitor_active_users", "话务", "日活跃用户", "D_ACTIVE_USERS"),
        daily_line(
            "daily_monitor_cell_availability", "基站", "无线可用率（%）", "D_CELL_AVAILABILITY"
        ),
        daily_line("daily_monitor_low_cells", "基站", "低可用率小区数", "D_LOW_AVAIL_CELLS"),
        daily_line("daily_monitor_drop_rate", "基站", "掉线率（%）", "D_DROP_RATE"),
        daily_line("daily_monitor_payment", "缴费", "日缴费金额（元）", "D_PAYMENT"),
        daily_line("daily_monitor_payment_cnt", "缴费", "日缴费笔数", "dm_payment_cnt"),
        daily_line("daily_monitor_hall", "营业", "营业厅日业务量（笔）", "D_HALL_TRANSACTIONS"),
    ),  # fmt: skip
    filters=geo_filters(RPT_DAILY_MONITOR),
)


# ---- 渠道价值 (mart_channel_value_month) on 渠道价值与评级: appended, the dashboard's own charts
# above stay as they are --------------------------------------------------------------------
LABELS.update(
    {
        "channel_level1_name": ("渠道大类", "Channel class"),
        "new_subs_revenue_yuan": ("新发展用户当月收入（元）", "Revenue of new subscribers"),
        "acquired_subs_in_service": ("发展用户在网数", "Acquired subscribers in service"),
        "commission_revenue_ratio_pct": ("酬金收入比（%）", "Commission / revenue %"),
        "alive_m3_cnt": ("3月后在网", "In service after 3 months"),
        "survival_m3_pct": ("3月留存率（%）", "3-month survival %"),
        "is_m3_observed": ("已满3月", "3 months observed"),
        "is_risk_channel": ("风险渠道", "Risk channel"),
    }
)
_COUNTS |= {"acquired_subs_in_service", "alive_m3_cnt"}
MART_CHANNEL_VALUE = dataset(
    "mart_channel_value_month",
    "渠道价值：每个渠道每月一行（发展量、酬金、发展用户收入、酬金收入比、3月留存、风险标记）",
    "Channel value by channel and month: acquisitions, commission, revenue, survival, risk",
    "period_month channel_id channel_name channel_level1_name prov_code city_code new_subs "
    "new_subs_revenue_yuan commission_yuan acquired_revenue_yuan acquired_subs_in_service "
    "commission_revenue_ratio_pct is_m3_observed alive_m3_cnt survival_m3_pct is_risk_channel",
    extra_metrics=(
        m("cv_new_subs", "sum(new_subs)", "发展用户", "New subscribers", ",d"),
        m("cv_commission", "sum(commission_yuan)", "酬金（元）", "Commission (yuan)"),
        m(
            "cv_acquired_revenue",
            "sum(acquired_revenue_yuan)",
            "发展用户收入（元）",
            "Revenue of acquired subscribers (yuan)",
        ),
        m(
            "cv_commission_ratio",
            "100.0 * sum(commission_yuan) / nullif(sum(acquired_revenue_yuan), 0)",
            "酬金收入比（%）",
            "Commission / revenue %",
            ",.1f",
        ),
        m(
            "cv_survival_m3",
            "100.0 * sum(case when is_m3_observed then alive_m3_cnt end)"
            " / nullif(sum(case when is_m3_observed then new_subs end), 0)",
            "3月留存率（%）",
            "3-month survival %",
            ",.1f",
        ),
        m(
            "cv_risk_channels",
            "count(distinct case when is_risk_channel then channel_id end)",
            "风险渠道数",
            "Risk channels",
            ",d",
        ),
    ),
)
CHANNELS = replace(
    CHANNELS,
    charts=(
        *CHANNELS.charts,
        ChartSpec(
            "channel_value_by_class",
            "渠道大类价值：发展、酬金、发展用户收入、酬金收入比、3月留存",
            "Channel value by class: acquisitions, commission, revenue, ratio, 3-month survival",
            MART_CHANNEL_VALUE,
            "agg_table",
            groupby=("channel_level1_name",),
            metrics=(
                "cv_new_subs",
                "cv_commission",
                "cv_acquired_revenue",
                "cv_commission_ratio",
                "cv_survival_m3",
                "cv_risk_channels",
            ),
            width=12,
        ),
    ),
)


REPORTS: tuple[DashboardSpec, ...] = (
    INDICATOR_OVERVIEW,
    REVENUE,
    DEVELOPMENT,
    RETENTION,
    CHANNELS,
    COMPLAINTS,
    SERVICE_CENTRE,
    SERVICE_QUALITY,
    KEY_ACCOUNT_SLA,
    CUSTOMER_ANALYSIS,
    PACKAGE_USAGE,
    MONITORING,
    DAILY_MONITORS,
    REVIEW,
    HQ,
    DATA_QUALITY,
    CUSTOMER_INSIGHT,
)


# ---- 报表目录 (landing page) -------------------------------------------------------------------
@dataclass(frozen=True)
class Department:
    """A department (归口部门) of the fixed-report catalogue, its reports, and where the figures
    of a department without reports of its own are shown meanwhile."""

    name_zh: str
    name_en: str
    reports: tuple[DashboardSpec, ...] = ()
    elsewhere_zh: tuple[tuple[str, DashboardSpec], ...] = ()  # (what, the report showing it)


# The catalogue by department, as the spec's fixed-report catalogue (固定报表目录) is: every
# report under exactly one department (tested); 终端, 增值业务 and 数据业务 have no data of their
# own yet, so their rows point at the charts that show what the warehouse knows of them.
DEPARTMENTS: tuple[Department, ...] = (
    Department("经营分析（经分中心）", "Business analysis", (INDICATOR_OVERVIEW, REVIEW, REVENUE)),
    Department(
        "市场营销",
        "Marketing",
        (DEVELOPMENT, CUSTOMER_ANALYSIS, CUSTOMER_INSIGHT, PACKAGE_USAGE, RETENTION, CHANNELS),
    ),
    Department(
        "集团客户",
        "Key accounts",
        (KEY_ACCOUNT_SLA,),
        (("集团客户与重点客户清单", CUSTOMER_ANALYSIS),),
    ),
    Department("客服", "Customer service", (SERVICE_CENTRE, SERVICE_QUALITY, COMPLAINTS)),
    Department("终端", "Terminals", (), (("5G终端渗透率、5G套餐渗透率", PACKAGE_USAGE),)),
    Department(
        "增值业务", "Value-added services", (), (("增值业务收入（收入结构：账单项）", REVENUE),)
    ),
    Department("数据业务", "Data services", (), (("DOU、流量、活跃与沉默用户", PACKAGE_USAGE),)),
    Department("运营监控", "Operations monitoring", (DAILY_MONITORS, MONITORING, DATA_QUALITY)),
    Department("总部", "Headquarters", (HQ,)),
)


def _link(d: DashboardSpec) -> str:
    return f"[{d.title_zh}](/superset/dashboard/{d.slug}/)"


def landing_markdown(departments: tuple[Department, ...] = DEPARTMENTS) -> str:
    lines = [
        "# 经分报表目录 · Report catalogue",
        "",
        "按归口部门排列 · by department",
        "",
        "| 部门 | 报表 | 内容 | Report |",
        "|---|---|---|---|",
    ]
    for dep in departments:
        for d in dep.reports:
            who = "（总部）" if d.audience == "hq" else ""
            lines.append(f"| {dep.name_zh} | {_link(d)}{who} | {d.description_zh} | {d.title_en} |")
        for what, d in dep.elsewhere_zh:
            lines.append(
                f"| {dep.name_zh} | 见 {_link(d)} | {what} | {dep.name_en}: see {d.title_en} |"
            )
    lines += [
        "",
        f"找指标、查口径：{_link(DICTIONARY)}（按中文、英文或指标编码检索）。",
        "",
        "筛选：统计期、省份、地市（选省后地市随之收窄：省 → 地市下钻）。点击汇总表中的省份可联动其他图表。",
        "省公司用户只看到本省数据（行级权限）；总部看到全部省份。",
    ]
    return "\n".join(lines)


# ---- 指标字典与报表检索 (indicator dictionary, report search) ----------------------------------
# Generated from the catalogue (dashboards/dictionary.py writes the seeds dbt joins with
# seeds/indicators.csv); the table's search box matches any substring of any column, so "ARPU",
# "离网" or "CHURN_RATE" finds the indicators and the reports that show them.
RPT_INDICATOR_DICTIONARY = dataset(
    "rpt_indicator_dictionary",
    "指标字典：每个指标每个展示它的图表一行，另每张报表一行（口径、单位、层级、归口部门、所在报表）",
    "Indicator dictionary: one row per indicator per chart showing it, plus one row per report",
    "entry_kind indicator_code name_zh name_en formula unit level owner period_grain "
    "aggregation source_model report_title_zh chart_title_zh report_link search_text",
    time=None,
    reference=True,
)
DICTIONARY = DashboardSpec(
    slug="indicator-dictionary",
    title_zh="指标字典与报表检索",
    title_en="Indicator dictionary and report search",
    description_zh="按中文、英文或指标编码检索指标：口径、单位、层级、归口部门，以及展示它的报表（可直接打开）。",
    description_en="Search indicators by a Chinese or English word or a code: definition, unit, level, owner, the reports that show them.",
    charts=(
        ChartSpec(
            "indicator_dictionary",
            "指标字典（在右上角搜索框输入：如 ARPU、离网、收入）",
            "Indicator dictionary (type a word in the search box)",
            RPT_INDICATOR_DICTIONARY,
            "table",
            columns=(
                "entry_kind",
                "indicator_code",
                "name_zh",
                "name_en",
                "formula",
                "unit",
                "level",
                "owner",
                "period_grain",
                "source_model",
                "report_link",
                "chart_title_zh",
            ),
            order_by=(("entry_kind", False), ("indicator_code", True), ("report_title_zh", True)),
            searchable=True,
            width=12,
            height=120,
        ),
    ),
)


LANDING = DashboardSpec(
    slug="catalogue",
    title_zh="报表目录",
    title_en="Report catalogue",
    description_zh="全部报表的入口与说明。",
    description_en="Entry page listing every report.",
    charts=(),
    markdown=(MarkdownSpec("catalogue", landing_markdown(), width=12, height=110),),
)

DASHBOARDS: tuple[DashboardSpec, ...] = (LANDING, DICTIONARY, *REPORTS)
