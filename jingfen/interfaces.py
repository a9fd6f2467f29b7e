"""The BSS extract interfaces: one machine-readable definition shared by the simulator, the
ingest flow, the dbt sources and docs/interfaces.md (whose column tables are generated from here
by ``jingfen interfaces doc``; a test keeps them in step).

Field types, as they appear in the text files:

- ``str``    free text (never contains ``|`` or a newline); ``maxlen`` is in characters.
- ``code``   a code that must exist in a reference table (``ref``: ``seed.column``).
- ``int``    a signed integer (``-?[0-9]+``); money is always an integer number of 分 (fen).
- ``dec``    a decimal number (``-?[0-9]+(\\.[0-9]+)?``).
- ``date``   ``YYYYMMDD``;  ``month`` ``YYYYMM``;  ``ts`` ``YYYYMMDDHHMMSS`` (Beijing time).
- ``flag``   ``0`` or ``1``.

An empty field is NULL; a mandatory (``M``) field may not be empty.  ``pii`` marks personal data:
it is hashed and masked in staging and never reaches a mart in clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

FieldType = Literal["str", "code", "int", "dec", "date", "month", "ts", "flag"]
PeriodKind = Literal["monthly", "daily", "both"]

INTERFACE_VERSION = "1.0"
ENCODINGS = ("UTF-8", "GBK")
DELIMITER = "|"


@dataclass(frozen=True)
class Column:
    name: str
    type: FieldType
    mandatory: bool = False
    description: str = ""
    ref: str | None = None  # "seed_name.column" the code must exist in
    pii: bool = False
    maxlen: int | None = None


@dataclass(frozen=True)
class Interface:
    code: str
    name_zh: str
    name_en: str
    period: PeriodKind  # monthly: YYYYMM files; daily: YYYYMMDD; both: either
    grain: str
    columns: tuple[Column, ...]
    snapshot: bool = False  # a monthly full snapshot (replaces the month) vs an increment
    key: tuple[str, ...] = field(default_factory=tuple)
    # the column that dates a record (a daily file's rows carry that day, or earlier when late)
    date_column: str | None = None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"interface {self.code} has no column {name!r}")


def C(name: str, type_: FieldType, mandatory: bool = False, description: str = "", **kw) -> Column:  # noqa: N802
    return Column(name, type_, mandatory, description, **kw)


PROV = C("prov_code", "code", True, "省份编码 GB/T 2260 (2 digits)", ref="regions.prov_code")
CITY = C("city_code", "code", True, "地市编码 GB/T 2260 (4 digits)", ref="regions.city_code")
COUNTY = C("county_code", "code", False, "区县编码 GB/T 2260 (6 digits)", ref="regions.county_code")
COUNTY_MANDATORY = replace(COUNTY, mandatory=True)  # subscribers and cells always have one

INTERFACES: dict[str, Interface] = {
    i.code: i
    for i in (
        Interface(
            "CUST",
            "客户资料",
            "customers",
            "monthly",
            "one row per customer that exists at month end (full snapshot)",
            (
                C("cust_id", "str", True, "客户标识", maxlen=20),
                C(
                    "cust_name",
                    "str",
                    True,
                    "客户名称 (person or organisation)",
                    pii=True,
                    maxlen=60,
                ),
                C("cust_type", "code", True, "客户类型", ref="code_values.customer_type"),
                C("cert_type", "code", True, "证件类型", ref="code_values.cert_type"),
                C(
                    "cert_no",
                    "str",
                    True,
                    "证件号码 (18-digit resident ID or USCC)",
                    pii=True,
                    maxlen=20,
                ),
                C(
                    "gender",
                    "code",
                    False,
                    "性别 1 male 2 female (persons only)",
                    ref="code_values.gender",
                ),
                C("birth_date", "date", False, "出生日期 (persons only)"),
                PROV,
                CITY,
                COUNTY,
                C("address", "str", False, "联系地址", pii=True, maxlen=100),
                C("contact_phone", "str", False, "联系电话", pii=True, maxlen=20),
                C("vip_level", "code", True, "客户星级/VIP level", ref="code_values.vip_level"),
                C(
                    "group_cust_id",
                    "str",
                    False,
                    "所属集团客户标识 (member of a group customer)",
                    maxlen=20,
                ),
                C("create_date", "date", True, "建档日期"),
                C("status", "code", True, "客户状态", ref="code_values.cust_status"),
            ),
            snapshot=True,
            key=("cust_id",),
        ),
        Interface(
            "SUBS",
            "用户资料",
            "subscribers",
            "monthly",
            "one row per subscriber in service at any time in the month (full snapshot at month end)",
            (
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C(
                    "msisdn",
                    "str",
                    True,
                    "服务号码 (11-digit mobile number or broadband account)",
                    pii=True,
                    maxlen=20,
                ),
                C("cust_id", "str", True, "客户标识", maxlen=20),
                PROV,
                CITY,
                COUNTY_MANDATORY,
                C("package_code", "code", True, "主套餐", ref="packages.package_code"),
                C(
                    "pay_type",
                    "code",
                    True,
                    "付费类型 1 prepaid 2 postpaid",
                    ref="code_values.pay_type",
                ),
                C("net_type", "code", True, "网络类型 4G 5G FBB", ref="code_values.net_type"),
                C("open_date", "date", True, "入网日期"),
                C(
                    "channel_id",
                    "str",
                    True,
                    "发展渠道 (channel that acquired the subscriber)",
                    maxlen=20,
                ),
                C("status", "code", True, "用户状态 at month end", ref="code_values.subs_status"),
                C("status_date", "date", True, "状态变更日期"),
                C("terminal_brand", "str", False, "终端品牌", maxlen=20),
                C("terminal_model", "str", False, "终端型号", maxlen=40),
                C("is_5g_terminal", "flag", False, "是否5G终端"),
                C("terminal_date", "date", False, "终端启用日期 (first seen on the network)"),
                C("contract_end_date", "date", False, "合约到期日 (empty: no contract)"),
                C("is_opt_out", "flag", True, "免打扰 (opted out of marketing contact)"),
            ),
            snapshot=True,
            key=("subs_id",),
        ),
        Interface(
            "EVNT",
            "用户异动",
            "subscriber events",
            "both",
            "one row per subscriber change event",
            (
                C("event_id", "str", True, "异动流水号", maxlen=24),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C("msisdn", "str", True, "服务号码", pii=True, maxlen=20),
                C("event_type", "code", True, "异动类型", ref="code_values.event_type"),
                C("event_time", "ts", True, "异动时间"),
                PROV,
                CITY,
                C(
                    "old_package_code",
                    "code",
                    False,
                    "原套餐 (package change)",
                    ref="packages.package_code",
                ),
                C(
                    "new_package_code",
                    "code",
                    False,
                    "新套餐 (open, package change, port-in)",
                    ref="packages.package_code",
                ),
                C("channel_id", "str", False, "受理渠道", maxlen=20),
            ),
            key=("event_id",),
            date_column="event_time",
        ),
        Interface(
            "BILL",
            "客户账单",
            "monthly bills",
            "monthly",
            "one row per subscriber per bill month, one amount column per bill item (all in 分)",
            (
                C("bill_month", "month", True, "账期"),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C("cust_id", "str", True, "客户标识", maxlen=20),
                PROV,
                CITY,
                C("package_code", "code", True, "计费套餐", ref="packages.package_code"),
                C("package_fee_fen", "int", True, "套餐月费"),
                C("voice_fee_fen", "int", True, "语音通信费 (beyond the package)"),
                C("data_fee_fen", "int", True, "上网流量费 (beyond the package)"),
                C("sms_fee_fen", "int", True, "短彩信费"),
                C("vas_fee_fen", "int", True, "增值业务费"),
                C("roaming_fee_fen", "int", True, "漫游费"),
                C("other_fee_fen", "int", True, "其他费用"),
                C("discount_fen", "int", True, "优惠减免 (a positive amount taken off)"),
                C("total_due_fen", "int", True, "应收合计 = sum of items - discount"),
                C("due_date", "date", True, "缴费截止日"),
            ),
            key=("bill_month", "subs_id"),
        ),
        Interface(
            "PAYM",
            "缴费",
            "payments",
            "both",
            "one row per payment or top-up",
            (
                C("pay_id", "str", True, "缴费流水号", maxlen=24),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C("cust_id", "str", True, "客户标识", maxlen=20),
                PROV,
                CITY,
                C("pay_time", "ts", True, "缴费时间"),
                C("amount_fen", "int", True, "缴费金额 (negative: refund)"),
                C("pay_method", "code", True, "缴费方式", ref="code_values.pay_method"),
                C("pay_channel_id", "str", False, "缴费渠道", maxlen=20),
                C("bill_month", "month", False, "销账账期 (empty for prepaid top-ups)"),
            ),
            key=("pay_id",),
            date_column="pay_time",
        ),
        Interface(
            "USGD",
            "日使用量",
            "daily usage",
            "daily",
            "one row per subscriber per day with any usage (recent days only)",
            (
                C("usage_date", "date", True, "日期"),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                PROV,
                C("mou", "int", True, "通话分钟数 minutes of use"),
                C("data_mb", "dec", True, "上网流量 MB"),
                C("sms_cnt", "int", True, "短信条数"),
                C("main_cell_id", "str", False, "主驻留小区", maxlen=20),
            ),
            key=("usage_date", "subs_id"),
            date_column="usage_date",
        ),
        Interface(
            "USGM",
            "月使用量",
            "monthly usage",
            "monthly",
            "one row per subscriber per month",
            (
                C("usage_month", "month", True, "月份"),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                PROV,
                CITY,
                C("mou", "int", True, "通话分钟数 minutes of use"),
                C("data_mb", "dec", True, "上网流量 MB"),
                C("sms_cnt", "int", True, "短信条数"),
                C("active_days", "int", True, "活跃天数"),
                C("main_cell_id", "str", False, "主驻留小区", maxlen=20),
            ),
            key=("usage_month", "subs_id"),
        ),
        Interface(
            "CELL",
            "基站小区日指标",
            "cell daily KPIs",
            "both",
            "one row per cell per day",
            (
                C("stat_date", "date", True, "日期"),
                C("cell_id", "str", True, "小区标识", maxlen=20),
                C("cell_name", "str", True, "小区名称", maxlen=60),
                PROV,
                CITY,
                COUNTY_MANDATORY,
                C("net_type", "code", True, "网络制式 4G 5G", ref="code_values.net_type"),
                C("voice_traffic_erl", "dec", True, "话务量 (Erlang)"),
                C("data_traffic_gb", "dec", True, "数据流量 GB"),
                C("drop_rate", "dec", True, "掉线率 % (0-100)"),
                C("congestion_rate", "dec", True, "拥塞率 % (0-100)"),
                C("availability", "dec", True, "无线可用率 % (0-100)"),
            ),
            key=("stat_date", "cell_id"),
            date_column="stat_date",
        ),
        Interface(
            "CHNL",
            "渠道资料",
            "channels",
            "monthly",
            "one row per channel (outlet or dealer) at month end (full snapshot)",
            (
                C("channel_id", "str", True, "渠道标识", maxlen=20),
                C("channel_name", "str", True, "渠道名称", maxlen=60),
                C(
                    "channel_type_code",
                    "code",
                    True,
                    "渠道类型 (4-digit, level-2 of the hierarchy)",
                    ref="channel_types.channel_type_code",
                ),
                PROV,
                CITY,
                COUNTY,
                C("open_date", "date", True, "开业/签约日期"),
                C(
                    "status",
                    "code",
                    True,
                    "渠道状态 1 active 0 closed",
                    ref="code_values.channel_status",
                ),
            ),
            snapshot=True,
            key=("channel_id",),
        ),
        Interface(
            "CMSN",
            "渠道佣金",
            "commissions",
            "monthly",
            "one row per commission item paid to a channel",
            (
                C("cmsn_id", "str", True, "佣金流水号", maxlen=24),
                C("settle_month", "month", True, "结算月份"),
                C("channel_id", "str", True, "渠道标识", maxlen=20),
                C("subs_id", "str", False, "佣金对应用户 (empty for lump sums)", maxlen=20),
                C("cmsn_type", "code", True, "佣金类型", ref="code_values.cmsn_type"),
                C("amount_fen", "int", True, "金额 (negative: clawback)"),
                PROV,
            ),
            key=("cmsn_id",),
        ),
        Interface(
            "CMPL",
            "投诉工单",
            "complaint tickets",
            "both",
            "one row per complaint ticket",
            (
                C("ticket_id", "str", True, "工单号", maxlen=24),
                C("accept_time", "ts", True, "受理时间"),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C("msisdn", "str", True, "投诉号码", pii=True, maxlen=20),
                PROV,
                CITY,
                COUNTY,
                C("source", "code", True, "投诉来源", ref="code_values.complaint_source"),
                C(
                    "category_code",
                    "code",
                    True,
                    "投诉分类 (6-digit level-3 code)",
                    ref="complaint_categories.category_code",
                ),
                C("cell_id", "str", False, "相关小区 (network complaints)", maxlen=20),
                C("is_escalated", "flag", True, "是否升级 (escalated / 越级)"),
                C("close_time", "ts", False, "结案时间 (empty: still open)"),
                C("satisfaction", "code", False, "满意度 1-5", ref="code_values.satisfaction"),
            ),
            key=("ticket_id",),
            date_column="accept_time",
        ),
        Interface(
            "HOTL",
            "热线话务",
            "hotline calls",
            "both",
            "one row per call to the 10010 hotline (IVR, then an agent if the caller asks for one)",
            (
                C("call_id", "str", True, "话务流水号", maxlen=24),
                C("arrive_time", "ts", True, "来话时间"),
                C("subs_id", "str", True, "用户标识 (the caller's subscription)", maxlen=20),
                C("caller_no", "str", True, "主叫号码", pii=True, maxlen=20),
                PROV,
                CITY,
                C(
                    "vip_level",
                    "code",
                    True,
                    "客户星级 at the call (drives the routing priority)",
                    ref="code_values.vip_level",
                ),
                C("ivr_node", "code", True, "IVR 末级菜单 (the topic)", ref="code_values.ivr_node"),
                C(
                    "call_category",
                    "code",
                    True,
                    "来电类别 1 咨询 2 投诉 3 办理",
                    ref="code_values.call_category",
                ),
                C(
                    "is_self_service",
                    "flag",
                    True,
                    "IVR 自助完成 (ended in the IVR, no agent asked)",
                ),
                C("is_to_agent", "flag", True, "转人工 (offered to the agents)"),
                C("queue_seconds", "int", False, "排队时长 s (empty: not offered to an agent)"),
                C(
                    "is_answered",
                    "flag",
                    True,
                    "人工接通 (0: abandoned in the queue, or self-service)",
                ),
                C("agent_id", "str", False, "坐席工号 (answered calls)", maxlen=20),
                C("talk_seconds", "int", False, "通话时长 s (answered calls)"),
                C("acw_seconds", "int", False, "话后处理时长 s (after-call work, answered calls)"),
            ),
            key=("call_id",),
            date_column="arrive_time",
        ),
        Interface(
            "AGNT",
            "坐席签入记录",
            "agent sessions",
            "both",
            "one row per hotline agent log-in session (签入 to 签出), dated by the day of the log-in",
            (
                C("stat_date", "date", True, "日期 (the day of the log-in)"),
                C("session_id", "str", True, "签入流水号", maxlen=24),
                C("agent_id", "str", True, "坐席工号 (HOTL agent_id)", maxlen=20),
                PROV,
                C("login_time", "ts", True, "签入时间"),
                C("logout_time", "ts", True, "签出时间 (after the last call's after-call work)"),
                C(
                    "break_seconds",
                    "int",
                    True,
                    "示忙时长 s (not ready: breaks, meetings, coaching; never during a call)",
                ),
            ),
            key=("session_id",),
            date_column="stat_date",
        ),
        Interface(
            "WORK",
            "电子工单",
            "work orders",
            "both",
            "one row per work order (created from a complaint, a request or a fault report)",
            (
                C("order_id", "str", True, "工单号", maxlen=24),
                C("create_time", "ts", True, "建单时间"),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C("contact_no", "str", True, "联系号码", pii=True, maxlen=20),
                PROV,
                CITY,
                C("vip_level", "code", True, "客户星级 at creation", ref="code_values.vip_level"),
                C(
                    "order_type",
                    "code",
                    True,
                    "工单类型 1 投诉 2 业务办理 3 故障",
                    ref="code_values.work_order_type",
                ),
                C(
                    "category_code",
                    "code",
                    False,
                    "投诉分类 (complaints: 6-digit level-3 code)",
                    ref="complaint_categories.category_code",
                ),
                C(
                    "source_call_id",
                    "str",
                    False,
                    "来源话务 (the hotline call it came from)",
                    maxlen=24,
                ),
                C(
                    "department",
                    "code",
                    True,
                    "处理部门 (dispatched to)",
                    ref="code_values.department",
                ),
                C("limit_hours", "int", True, "处理时限 h (by order type and customer tier)"),
                C("dispatch_time", "ts", False, "派单时间"),
                C("reply_time", "ts", False, "回单时间 (the department's reply)"),
                C("close_time", "ts", False, "归档时间 (empty: still open)"),
                C("reopen_cnt", "int", True, "重派次数 (reopened after a reply)"),
                C(
                    "satisfaction",
                    "code",
                    False,
                    "回访满意度 1-5 (empty: no callback)",
                    ref="code_values.satisfaction",
                ),
            ),
            key=("order_id",),
            date_column="create_time",
        ),
        Interface(
            "APPL",
            "用户申诉",
            "appeals",
            "both",
            "one row per appeal to the regulator (申诉), linked to the earlier complaint work order",
            (
                C("appeal_id", "str", True, "申诉编号", maxlen=24),
                C("accept_time", "ts", True, "申诉受理时间"),
                C("subs_id", "str", True, "用户标识", maxlen=20),
                C("appellant_no", "str", True, "申诉人号码", pii=True, maxlen=20),
                PROV,
                CITY,
                C("regulator", "code", True, "受理机构", ref="code_values.regulator"),
                C("order_id", "str", True, "原投诉工单号 (WORK)", maxlen=24),
                C(
                    "category_code",
                    "code",
                    True,
                    "申诉分类 (6-digit level-3 code)",
                    ref="complaint_categories.category_code",
                ),
                C("close_time", "ts", False, "办结时间 (empty: still open)"),
                C("is_upheld", "flag", False, "申诉成立 (the regulator found for the customer)"),
            ),
            key=("appeal_id",),
            date_column="accept_time",
        ),
        Interface(
            "CIRC",
            "集团电路日可用率",
            "key-account circuit days",
            "both",
            "one row per key-account leased circuit per day (客户网管)",
            (
                C("stat_date", "date", True, "日期"),
                C("circuit_id", "str", True, "电路编号", maxlen=24),
                C("group_cust_id", "str", True, "集团客户标识 (the key account)", maxlen=20),
                C("circuit_type", "code", True, "电路类型", ref="code_values.circuit_type"),
                C("bandwidth_mbps", "int", True, "带宽 Mbit/s"),
                PROV,
                CITY,
                C("availability", "dec", True, "可用率 % of the day (0-100)"),
                C("fault_cnt", "int", True, "故障次数"),
                C("outage_minutes", "int", True, "中断时长 min"),
                C("max_restore_minutes", "int", False, "最长故障恢复时长 min (empty: no fault)"),
                C("sla_availability", "dec", True, "合同可用率 % (monthly, SLA)"),
                C("sla_restore_minutes", "int", True, "合同故障恢复时限 min (SLA)"),
            ),
            key=("stat_date", "circuit_id"),
            date_column="stat_date",
        ),
    )
}


def get(code: str) -> Interface:
    try:
        return INTERFACES[code]
    except KeyError:
        raise KeyError(
            f"unknown interface code {code!r}; known codes are {', '.join(INTERFACES)}"
        ) from None
