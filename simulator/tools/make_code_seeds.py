"""Dev-time generator for the hand-curated reference seeds: packages, channel_types,
complaint_categories and code_values (regions/provinces come from make_region_seeds.py).

    .venv/bin/python simulator/tools/make_code_seeds.py
"""

from __future__ import annotations

import csv
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

PACKAGES = """package_code,package_name,package_name_en,family,net_type,pay_type,monthly_fee_yuan,data_gb,voice_min,launch_month,is_active
P4G008,8元保号套餐,8-yuan number keeper,保号卡,4G,1,8,0,0,201801,true
P4G019,19元米粉卡,19-yuan Mi fan card,互联网卡,4G,1,19,20,0,201811,true
P4G029,腾讯王卡,Tencent King Card,互联网卡,4G,0,19,40,100,201610,true
P4G039,大王卡,Big King Card,互联网卡,4G,0,39,30,200,201705,true
P4G059,4G畅爽冰激凌59元,4G Ice Cream 59,冰激凌,4G,2,59,20,300,201803,true
P4G099,4G冰激凌99元,4G Ice Cream 99,冰激凌,4G,2,99,40,1000,201703,false
P4G199,4G冰激凌199元,4G Ice Cream 199,冰激凌,4G,2,199,60,2000,201703,false
P4G049,4G全国套餐49元,4G national plan 49,4G全国,4G,0,49,10,200,201601,false
P5G029,5G新语音畅享29元,5G new voice 29,5G畅享,5G,1,29,15,100,202304,true
P5G059,5G畅爽冰激凌59元,5G Ice Cream 59,冰激凌,5G,2,59,30,500,202106,true
P5G099,5G畅爽冰激凌99元,5G Ice Cream 99,冰激凌,5G,2,99,60,1000,202106,true
P5G129,5G畅爽冰激凌129元,5G Ice Cream 129,冰激凌,5G,2,129,80,1500,202106,true
P5G159,5G畅爽冰激凌159元,5G Ice Cream 159,冰激凌,5G,2,159,100,2000,202106,true
P5G199,5G畅爽冰激凌199元,5G Ice Cream 199,冰激凌,5G,2,199,150,3000,202106,true
P5G299,5G冰激凌尊享299元,5G Ice Cream Premium 299,冰激凌尊享,5G,2,299,200,3000,202201,true
P5G399,5G冰激凌尊享399元,5G Ice Cream Premium 399,冰激凌尊享,5G,2,399,300,5000,202201,true
P5G039,5G大王卡,5G Big King Card,互联网卡,5G,0,39,40,100,202209,true
P5G069,5G智慧沃家融合69元,5G Smart Home fusion 69,智慧沃家,5G,2,69,40,500,202303,true
P5G169,5G智慧沃家融合169元,5G Smart Home fusion 169,智慧沃家,5G,2,169,100,1500,202303,true
PFB050,沃宽带100M单宽,Broadband 100M,宽带,FBB,2,50,0,0,201901,true
PFB080,沃宽带500M单宽,Broadband 500M,宽带,FBB,2,80,0,0,202104,true
PFB100,智慧沃家千兆宽带,Smart Home gigabit broadband,宽带,FBB,2,100,0,0,202204,true
"""

CHANNEL_TYPES = """channel_type_code,channel_type_name,channel_type_name_en,level1_code,level1_name,level1_name_en
1010,自有旗舰厅,owned flagship hall,10,自有渠道,owned halls
1020,自有标准厅,owned standard hall,10,自有渠道,owned halls
1030,自有小型厅,owned small hall,10,自有渠道,owned halls
2010,专营店,exclusive dealer store,20,社会渠道,social channels
2020,合作厅,partner hall,20,社会渠道,social channels
2030,代理点/便利店,agent point / convenience store,20,社会渠道,social channels
2040,手机卖场,handset retailer,20,社会渠道,social channels
3010,网上营业厅,online hall,30,电子渠道,e-channels
3020,手机营业厅APP,mobile app,30,电子渠道,e-channels
3030,电商平台,e-commerce platform,30,电子渠道,e-channels
4010,集团客户经理,enterprise account manager,40,直销渠道,direct sales
4020,社区直销,community direct sales,40,直销渠道,direct sales
4030,校园直销,campus direct sales,40,直销渠道,direct sales
"""

_L1 = {
    "01": ("网络质量", "network quality"),
    "02": ("计费争议", "billing"),
    "03": ("业务办理", "service handling"),
    "04": ("营销宣传", "marketing"),
    "05": ("服务态度", "service and staff"),
    "06": ("携号转网", "number portability"),
}
_L2 = {
    "0101": ("网络覆盖", "network coverage"),
    "0102": ("数据业务质量", "data service quality"),
    "0103": ("语音业务质量", "voice service quality"),
    "0104": ("宽带质量", "broadband quality"),
    "0201": ("费用异议", "fee disputes"),
    "0202": ("扣费争议", "deduction disputes"),
    "0203": ("缴费问题", "payment problems"),
    "0301": ("业务变更", "service changes"),
    "0302": ("装机维修", "installation and repair"),
    "0303": ("销户停机", "closing and suspension"),
    "0401": ("虚假宣传", "misleading marketing"),
    "0402": ("营销骚扰", "marketing harassment"),
    "0501": ("服务态度", "staff attitude"),
    "0502": ("服务效率", "service efficiency"),
    "0601": ("携出办理", "port-out handling"),
    "0602": ("携入办理", "port-in handling"),
}
_L3 = [
    ("010101", "室内无信号", "no indoor signal"),
    ("010102", "室外信号弱", "weak outdoor signal"),
    ("010103", "5G信号不稳定", "unstable 5G signal"),
    ("010201", "上网慢", "slow data"),
    ("010202", "无法上网", "no data connection"),
    ("010301", "通话掉话", "dropped calls"),
    ("010302", "无法接通", "calls fail to connect"),
    ("010303", "通话杂音/断续", "noisy or choppy calls"),
    ("010401", "宽带断网", "broadband outage"),
    ("010402", "宽带网速慢", "slow broadband"),
    ("020101", "套餐费用异议", "disputed package fee"),
    ("020102", "流量费用异议", "disputed data charges"),
    ("020103", "漫游费用异议", "disputed roaming charges"),
    ("020201", "不明扣费", "unexplained deduction"),
    ("020202", "增值业务扣费", "value-added service charge"),
    ("020301", "缴费未到账", "payment not credited"),
    ("020302", "欠费停机异议", "disputed arrears suspension"),
    ("030101", "套餐变更未生效", "package change not applied"),
    ("030102", "业务退订困难", "hard to unsubscribe"),
    ("030201", "宽带装机延误", "broadband installation delay"),
    ("030202", "维修不及时", "slow repair"),
    ("030301", "销户办理困难", "hard to close account"),
    ("040101", "宣传与实际不符", "advertising not as described"),
    ("040102", "优惠未兑现", "promised discount not given"),
    ("040201", "营销短信骚扰", "marketing SMS harassment"),
    ("040202", "营销外呼骚扰", "marketing call harassment"),
    ("050101", "营业员态度差", "rude hall staff"),
    ("050102", "客服热线态度差", "rude hotline agent"),
    ("050201", "热线难以接通", "hotline hard to reach"),
    ("050202", "问题久拖未决", "problem left unresolved"),
    ("060101", "携转资格受限", "port-out eligibility refused"),
    ("060102", "携转挽留骚扰", "retention harassment when porting"),
    ("060201", "携入后业务异常", "service problems after port-in"),
]

CODE_VALUES = [
    (
        "customer_type",
        [
            ("01", "个人", "individual"),
            ("02", "集团", "group/enterprise"),
            ("03", "家庭", "family"),
        ],
    ),
    (
        "cert_type",
        [
            ("01", "居民身份证", "resident ID card"),
            ("02", "护照", "passport"),
            ("03", "统一社会信用代码", "unified social credit code"),
        ],
    ),
    ("gender", [("1", "男", "male"), ("2", "女", "female")]),
    (
        "vip_level",
        [
            ("0", "普通", "regular"),
            ("1", "银卡", "silver"),
            ("2", "金卡", "gold"),
            ("3", "钻石", "diamond"),
        ],
    ),
    ("cust_status", [("1", "正常", "active"), ("2", "销户", "closed")]),
    ("pay_type", [("1", "预付费", "prepaid"), ("2", "后付费", "postpaid")]),
    ("net_type", [("4G", "4G", "4G"), ("5G", "5G", "5G"), ("FBB", "宽带", "fixed broadband")]),
    (
        "subs_status",
        [
            ("10", "正常", "active"),
            ("20", "停机", "suspended (by request)"),
            ("21", "欠费停机", "suspended for arrears"),
            ("90", "拆机", "cancelled"),
            ("91", "携号转出", "ported out"),
        ],
    ),
    (
        "event_type",
        [
            ("01", "开户", "open"),
            ("02", "套餐变更", "package change"),
            ("03", "停机", "suspend"),
            ("04", "复机", "resume"),
            ("05", "拆机", "cancel"),
            ("06", "携号转出", "port-out"),
            ("07", "携号转入", "port-in"),
        ],
    ),
    (
        "pay_method",
        [
            ("01", "现金", "cash"),
            ("02", "银行代扣", "bank direct debit"),
            ("03", "微信", "WeChat Pay"),
            ("04", "支付宝", "Alipay"),
            ("05", "充值卡", "top-up card"),
            ("06", "网银", "online banking"),
        ],
    ),
    ("channel_status", [("1", "正常", "active"), ("0", "关闭", "closed")]),
    (
        "cmsn_type",
        [
            ("01", "开户酬金", "acquisition"),
            ("02", "分成酬金", "revenue share"),
            ("03", "奖励", "incentive"),
            ("04", "扣罚", "clawback"),
        ],
    ),
    (
        "complaint_source",
        [
            ("01", "10010热线", "10010 hotline"),
            ("02", "网上/APP", "online / app"),
            ("03", "营业厅", "business hall"),
            ("04", "工信部申诉", "regulator appeal (MIIT)"),
            ("05", "社交媒体", "social media"),
        ],
    ),
    (
        "satisfaction",
        [
            ("1", "非常不满意", "very dissatisfied"),
            ("2", "不满意", "dissatisfied"),
            ("3", "一般", "neutral"),
            ("4", "满意", "satisfied"),
            ("5", "非常满意", "very satisfied"),
        ],
    ),
]


def main() -> None:
    (SEEDS / "packages.csv").write_text(PACKAGES, encoding="utf-8")
    (SEEDS / "channel_types.csv").write_text(CHANNEL_TYPES, encoding="utf-8")
    with (SEEDS / "complaint_categories.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            [
                "category_code",
                "category_name",
                "category_name_en",
                "l2_code",
                "l2_name",
                "l2_name_en",
                "l1_code",
                "l1_name",
                "l1_name_en",
            ]
        )
        for code, zh, en in _L3:
            w.writerow([code, zh, en, code[:4], *_L2[code[:4]], code[:2], *_L1[code[:2]]])
    with (SEEDS / "code_values.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code_set", "code", "name_zh", "name_en", "sort_order"])
        for code_set, items in CODE_VALUES:
            for i, (code, zh, en) in enumerate(items, start=1):
                w.writerow([code_set, code, zh, en, i])
    print("wrote packages, channel_types, complaint_categories, code_values")


if __name__ == "__main__":
    main()
