"""Dev-time generator for seeds/holidays.csv (not a runtime dependency).

China's statutory holidays (法定节假日) and the weekend days worked in exchange (调休上班) are
announced by the State Council each year, so they cannot be computed; the PyPI package
``chinesecalendar`` carries the announced calendars. Run it in a throwaway environment:

    python3 -m venv /tmp/holvenv && /tmp/holvenv/bin/pip install chinesecalendar
    /tmp/holvenv/bin/python seeds/tools/gen_holidays.py

One row per calendar day from FIRST_DAY to the last day of the last year the package knows
(2026 for chinesecalendar 1.11): the seed's last date is the horizon of what is known, and
dim_date treats later dates as ordinary days. Re-run after a package update to extend it.
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

FIRST_DAY = date(2024, 1, 1)
LAST_WANTED = date(2027, 12, 31)
OUT = Path(__file__).resolve().parent.parent / "holidays.csv"

NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def rows() -> list[dict[str, str]]:
    out = []
    day = FIRST_DAY
    while day <= LAST_WANTED:
        try:
            is_day_off, name_en = chinese_calendar.get_holiday_detail(day)
        except NotImplementedError:  # the package knows no later year
            break
        is_holiday = bool(is_day_off and name_en)
        is_adjusted_workday = bool(not is_day_off and name_en)
        out.append(
            {
                "date": day.isoformat(),
                "holiday_name": NAMES_ZH[name_en] if name_en else "",
                "holiday_name_en": name_en or "",
                "is_holiday": str(is_holiday).lower(),
                "is_adjusted_workday": str(is_adjusted_workday).lower(),
                "is_spring_festival_period": str(
                    is_holiday and name_en == "Spring Festival"
                ).lower(),
            }
        )
        day += timedelta(days=1)
    return out


def main() -> None:
    data = rows()
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(data[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(data)
    print(f"wrote {len(data)} days {data[0]['date']}..{data[-1]['date']} to {OUT}")


if __name__ == "__main__":
    main()
