"""The ready specs of schemas/ read like real systems, and keep their promises.

Every ``schemas/*.yaml`` compiles, has a comment header saying what it models, generates (as
Parquet, at a small scale), passes ``rulegen check`` with no rule skipped, and seeds SQLite
with every foreign key holding. Then a few assertions per spec prove the rules its header
describes: the fraud share, payments after their orders, managers hired before their reports,
24 hourly readings a day per device, fares that follow distance, and so on.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import rulegen
from tests.conftest import ROOT

SCHEMAS = ROOT / "schemas"
SPECS = sorted(path.name for path in SCHEMAS.glob("*.yaml"))

# Scale and row overrides per spec, so each test run makes at most about 50,000 rows. Timelines
# do not scale: their length is their span, so their parents are kept small. Dimensions say
# `rows: {fixed: N}` and keep their size at any scale.
SIZES: dict[str, tuple[float, dict[str, int]]] = {
    "banking.yaml": (0.15, {}),
    "customers.yaml": (0.1, {}),
    "ecommerce.yaml": (0.15, {"products": 800}),
    "healthcare.yaml": (0.2, {}),
    "hr.yaml": (0.2, {}),
    "library.yaml": (0.3, {}),
    "iot.yaml": (0.1, {}),
    "logistics.yaml": (0.1, {}),
    "retail.yaml": (0.04, {"hosts": 2}),
    "ridehailing.yaml": (0.2, {}),
    "saas.yaml": (0.2, {}),
    "shop.yaml": (0.3, {}),
}
MAX_ROWS = 55_000
DOMAINS = {"ecommerce.yaml", "saas.yaml", "banking.yaml", "healthcare.yaml", "hr.yaml", "iot.yaml",
           "logistics.yaml", "ridehailing.yaml"}


@dataclass
class Generated:
    """One spec's data, written by ``rulegen.write`` as Parquet and read back."""

    spec: Path
    directory: Path
    scale: float
    rows: dict[str, int] | None
    frames: dict[str, pd.DataFrame]

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.frames[table]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Generated]:
    """Each spec's data, generated once for the whole module."""
    cache: dict[str, Generated] = {}

    def get(name: str) -> Generated:
        if name not in cache:
            scale, rows = SIZES[name]
            directory = tmp_path_factory.mktemp(name.removesuffix(".yaml")) / "data"
            paths = rulegen.write(SCHEMAS / name, directory, "parquet", scale=scale, rows=rows or None)
            frames = {table: pd.read_parquet(path) for table, path in paths.items()}
            cache[name] = Generated(SCHEMAS / name, directory, scale, rows or None, frames)
        return cache[name]

    return get


# --- every spec -------------------------------------------------------------------------------


def test_every_spec_has_a_test_size() -> None:
    assert set(SPECS) == set(SIZES), "give each spec of schemas/ a scale in SIZES"
    assert set(SPECS) >= DOMAINS


@pytest.mark.parametrize("name", SPECS)
def test_spec_compiles_at_full_size(name: str) -> None:
    plan = rulegen.compile(SCHEMAS / name)
    assert plan.tables
    total = sum(table.rows for table in plan.tables.values())
    assert total >= 10_000


@pytest.mark.parametrize("name", SPECS)
def test_spec_has_a_comment_header_saying_what_it_models(name: str) -> None:
    lines = (SCHEMAS / name).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# yaml-language-server: $schema=./rulegen.schema.json"
    header = []
    for line in lines[1:]:
        if not line.startswith("#"):
            break
        header.append(line.lstrip("#").strip())
    text = " ".join(header).lower()
    assert sum(1 for line in header if line) >= 3, "a few lines saying what the spec models"
    tables = list(rulegen.load(SCHEMAS / name).tables)
    unnamed = [table for table in tables
               if not any(re.sub(r"s$", "", part) in text for part in table.split("_"))]
    if name in DOMAINS:  # the header names every table (or a word of its name)
        assert not unnamed, f"the header does not mention {unnamed}"
    else:
        assert len(unnamed) <= len(tables) // 2, f"the header does not mention {unnamed}"


@pytest.mark.parametrize("name", SPECS)
def test_spec_generates_and_passes_check(name: str, generated: Callable[[str], Generated]) -> None:
    data = generated(name)
    assert set(data.frames) == set(rulegen.load(data.spec).tables)
    assert all(len(frame) for frame in data.frames.values())
    assert sum(len(frame) for frame in data.frames.values()) <= MAX_ROWS
    report = rulegen.check(data.spec, data.directory, scale=data.scale, rows=data.rows)
    assert report.ok, report.render()
    assert not report.skipped, report.render()  # every rule of the spec is checked on the files


@pytest.mark.parametrize("name", SPECS)
def test_spec_seeds_sqlite_with_foreign_keys_holding(name: str, generated: Callable[[str], Generated],
                                                     tmp_path: Path) -> None:
    data = generated(name)
    database = tmp_path / "seed.db"
    loaded = rulegen.seed_database(data.spec, f"sqlite:///{database}", scale=data.scale, rows=data.rows)
    assert loaded == {table: len(frame) for table, frame in data.frames.items()}
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        for table, frame in data.frames.items():
            assert connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] == len(frame)
        declared = sum(len(connection.execute(f'PRAGMA foreign_key_list("{table}")').fetchall())
                       for table in data.frames)
    spec = rulegen.load(data.spec)
    refs = sum(1 for table in spec.tables.values() for column in table.columns.values()
               if column.kind == "ref" and not column.hidden)
    assert declared >= min(refs, 1)


# --- e-commerce -------------------------------------------------------------------------------


def test_ecommerce_money_and_dates_flow_down_the_order_chain(generated: Callable[[str], Generated]) -> None:
    data = generated("ecommerce.yaml")
    orders = data["orders"].merge(data["customers"][["customer_id", "signed_up_at"]], on="customer_id")
    assert (orders.ordered_at >= orders.signed_up_at).all()
    lines = data["order_lines"].groupby("order_id").line_total.sum()
    assert (orders.set_index("order_id").subtotal - lines).abs().max() < 0.01
    payments = data["payments"].merge(data["orders"], on="order_id", suffixes=("", "_order"))
    assert len(payments) == len(data["orders"])  # paid once
    assert (payments.paid_at > payments.ordered_at).all()  # every payment after its order
    assert (payments.amount == payments.order_total).all()
    assert payments.card_last4.notna().eq(payments.method == "card").all()
    shipments = data["shipments"].merge(data["payments"], on="payment_id", suffixes=("", "_payment"))
    assert (shipments.shipped_at > shipments.paid_at).all()
    delivered = shipments.dropna(subset=["delivered_at"])
    assert (delivered.delivered_at > delivered.shipped_at).all()
    shipped = data["orders"].order_id.isin(data["shipments"].order_id)
    assert data["orders"].status.eq("fulfilled").eq(shipped).all()
    assert 0.02 < (~shipped).mean() < 0.09


def test_ecommerce_orders_have_seasons_and_best_sellers(generated: Callable[[str], Generated]) -> None:
    data = generated("ecommerce.yaml")
    orders = data["orders"]
    app = orders[orders.channel == "app"]
    assert set(app.device) == {"ios", "android"}
    last_year = orders.ordered_at[orders.ordered_at.dt.year == 2024]
    months = last_year.dt.month.value_counts()
    assert months[12] > 1.3 * months[[2, 3, 4, 5, 6]].mean()  # the year-end season
    popularity = data["order_lines"].product_id.value_counts()
    top_fifth = popularity.head(len(data["products"]) // 5).sum() / popularity.sum()
    assert top_fifth > 0.5


# --- SaaS -------------------------------------------------------------------------------------


def test_saas_invoices_fall_in_their_subscription_period(generated: Callable[[str], Generated]) -> None:
    data = generated("saas.yaml")
    subscriptions = data["subscriptions"]
    invoices = data["invoices"].merge(subscriptions[["subscription_id", "started_at", "ended_at", "mrr"]],
                                      on="subscription_id")
    assert (invoices.period_start >= invoices.started_at).all()
    assert (invoices.period_end <= invoices.ended_at).all()
    assert (invoices.issued_at >= invoices.period_start).all()
    assert (invoices.issued_at - invoices.period_start).max() <= pd.Timedelta(hours=6)
    assert (invoices.amount == invoices.mrr).all()
    counts = data["invoices"].groupby("subscription_id").size()
    assert (subscriptions.set_index("subscription_id").months == counts).all()
    assert invoices.paid_at.notna().eq(invoices.status == "paid").all()
    paid = invoices.dropna(subset=["paid_at"])
    assert (paid.paid_at > paid.issued_at).all()
    assert (invoices.status == "scheduled").eq(invoices.period_start.dt.year >= 2026).all()


def test_saas_accounts_users_and_growing_events(generated: Callable[[str], Generated]) -> None:
    data = generated("saas.yaml")
    users = data["users"]
    assert (users.groupby("account_id").role.apply(lambda roles: (roles == "owner").sum()) == 1).all()
    assert users.email.str.endswith(".example.com").all()
    subscriptions = data["subscriptions"].merge(data["accounts"][["account_id", "user_count"]], on="account_id")
    assert (subscriptions.seats >= subscriptions.user_count).all()
    events = data["events"].merge(users[["user_id", "joined_at"]], on="user_id")
    assert (events.occurred_at >= events.joined_at).all()
    years = events.occurred_at.dt.year.value_counts()
    assert years[2025] > 1.5 * years[2024]  # growing usage
    weekend = events.occurred_at.dt.day_of_week >= 5
    assert weekend.mean() < 0.15
    assert events.occurred_at.dt.hour.value_counts().idxmax() in (13, 14, 15)


# --- banking ----------------------------------------------------------------------------------


def test_banking_fraud_is_rare_large_and_nocturnal(generated: Callable[[str], Generated]) -> None:
    transactions = generated("banking.yaml")["transactions"]
    assert 0.003 <= transactions.is_fraud.mean() <= 0.008
    fraud, legit = transactions[transactions.is_fraud], transactions[~transactions.is_fraud]
    assert fraud.amount.median() > 4 * legit.amount.median()
    night = transactions.posted_at.dt.hour < 6
    assert night[fraud.index].mean() > 3 * night[legit.index].mean()
    assert (fraud.country != "DE").mean() > 0.5 > (legit.country != "DE").mean()
    spending = legit[legit.channel.isin(["card_present", "online"])].posted_at.dt.day_of_week.value_counts()
    assert spending.idxmax() == 4 and spending.idxmin() == 6  # busy Fridays, quiet Sundays
    salaries = legit[legit.channel == "direct_deposit"].posted_at.dt.day
    assert (salaries >= 26).mean() > 0.8


def test_banking_balance_is_opening_plus_the_ledger(generated: Callable[[str], Generated]) -> None:
    data = generated("banking.yaml")
    accounts, transactions = data["accounts"].set_index("account_id"), data["transactions"]
    assert transactions.signed_amount.abs().eq(transactions.amount).all()
    assert (transactions.signed_amount > 0).eq(transactions.direction == "credit").all()
    ledger = transactions.groupby("account_id").signed_amount.sum().reindex(accounts.index, fill_value=0)
    assert (accounts.balance - (accounts.opening_balance + ledger)).abs().max() < 0.02
    assert accounts.iban.str.fullmatch(r"DE\d{2} 5001 0517 \d{4} \d{4} \d{2}").all() and accounts.iban.is_unique
    merged = transactions.merge(data["accounts"][["account_id", "opened_on", "type"]], on="account_id")
    assert (merged.posted_at.dt.date >= merged.opened_on).all()
    savings = merged[(merged.type == "savings") & ~merged.is_fraud]
    assert set(savings.channel) == {"transfer", "interest"}


# --- healthcare -------------------------------------------------------------------------------


def test_healthcare_vitals_are_a_four_hourly_timeline_per_stay(generated: Callable[[str], Generated]) -> None:
    data = generated("healthcare.yaml")
    vitals = data["vitals"]
    per_stay = vitals.groupby("stay_id")
    assert per_stay.size().eq(18).all() and len(per_stay) == len(data["ward_stays"])
    assert per_stay.taken_at.diff().dropna().eq(pd.Timedelta(hours=4)).all()
    stays = vitals.merge(data["ward_stays"], on="stay_id")
    inside = (stays.taken_at >= stays.admitted_at) & (stays.taken_at <= stays.discharged_at)
    assert inside.eq(stays.on_ward).all()
    for column in ("heart_rate", "temperature_c", "systolic", "spo2", "resp_rate"):
        assert vitals[column].notna().eq(vitals.on_ward).all(), column
    on_ward = vitals[vitals.on_ward]
    by_hour = on_ward.groupby(on_ward.taken_at.dt.hour)[["heart_rate", "temperature_c"]].mean()
    assert by_hour.heart_rate[16] > by_hour.heart_rate[4] + 5  # circadian rhythm
    assert by_hour.temperature_c[16] > by_hour.temperature_c[4]
    assert on_ward.spo2.between(82, 100).all()


def test_healthcare_encounters_and_diagnoses(generated: Callable[[str], Generated]) -> None:
    data = generated("healthcare.yaml")
    encounters = data["encounters"].merge(data["patients"][["patient_id", "birthdate"]], on="patient_id")
    assert (encounters.started_at.dt.date >= encounters.birthdate).all()
    length = (encounters.ended_at - encounters.started_at).groupby(encounters.type).median()
    hour = pd.Timedelta(hours=1)
    assert length["outpatient"] < hour < length["emergency"] < 12 * hour < length["inpatient"]
    diagnoses = data["diagnoses"]
    assert diagnoses.code.str.fullmatch(r"[A-Z][0-9]{2}\.[0-9]").all()
    assert diagnoses.groupby("encounter_id").is_primary.sum().eq(1).all()
    assert diagnoses.present_on_admission.notna().eq(diagnoses.encounter_type == "inpatient").all()
    patients = data["patients"]
    assert patients.mrn.is_unique
    seniors = patients[patients.age_band == "senior"]
    assert (seniors.payer == "medicare").mean() > 0.7
    months = encounters.started_at.dt.month.value_counts()
    assert months[[1, 2]].mean() > months[[7, 8]].mean()  # flu season


# --- HR ---------------------------------------------------------------------------------------


def test_hr_managers_are_earlier_employees(generated: Callable[[str], Generated]) -> None:
    employees = generated("hr.yaml")["employees"].set_index("employee_id")
    assert employees.manager_id.isna().sum() == 1 and pd.isna(employees.manager_id.iloc[0])
    managed = employees.dropna(subset=["manager_id"])
    assert (managed.manager_id < managed.index).all()
    hired = employees.hire_date
    assert hired.is_monotonic_increasing  # employee numbers in hiring order
    assert (hired[managed.manager_id.astype(int)].to_numpy() <= managed.hire_date.to_numpy()).all()
    left = employees.dropna(subset=["terminated_on"])
    assert (left.terminated_on >= left.hire_date).all() and (pd.to_datetime(left.terminated_on).dt.year <= 2025).all()
    assert employees[employees.level.str.startswith("M")].title.eq("Manager").all()


def test_hr_salary_histories(generated: Callable[[str], Generated]) -> None:
    data = generated("hr.yaml")
    employees, salaries = data["employees"], data["salaries"]
    first = salaries[salaries.record_no == 1].merge(employees[["employee_id", "hire_date"]], on="employee_id")
    assert (first.effective_from == first.hire_date).all() and first.reason.eq("hire").all()
    assert salaries.groupby("employee_id").base_salary.apply(lambda s: s.is_monotonic_increasing).all()
    raises = salaries[salaries.record_no > 1]
    assert raises[["rating", "bonus_pct"]].astype(float).corr("spearman").iloc[0, 1] > 0.5
    last = salaries.groupby("employee_id").base_salary.max()
    assert (employees.set_index("employee_id").last_salary == last).all()
    departments = data["departments"].set_index("dept_id")
    assert (departments.headcount == employees.groupby("dept_id").size().reindex(departments.index, fill_value=0)).all()
    payroll = employees.groupby("dept_id").current_salary.sum().reindex(departments.index, fill_value=0)
    assert (departments.payroll - payroll).abs().max() < 0.01
    assert departments.name.is_unique and len(departments) == 12


# --- IoT --------------------------------------------------------------------------------------


def test_iot_hourly_readings_follow_a_daily_cycle(generated: Callable[[str], Generated]) -> None:
    data = generated("iot.yaml")
    readings = data["readings"]
    per_day = readings.groupby([readings.device_id, readings.ts.dt.date]).size()
    assert per_day.eq(24).all()  # 24 readings per device per day
    assert readings.groupby("device_id").size().eq(30 * 24).all()
    assert readings.device_id.nunique() == len(data["devices"])
    hours = readings.groupby(readings.ts.dt.hour)[["temperature_c", "humidity_pct", "co2_ppm"]].mean()
    assert hours.temperature_c.idxmax() == 15  # the declared peak
    assert hours.humidity_pct.idxmax() in (4, 5, 6)
    assert hours.co2_ppm.idxmax() in range(9, 16) and hours.co2_ppm.idxmin() in range(0, 7)
    assert readings.co2_ppm.notna().eq(readings.model == "AQ-300").all()
    days = readings.groupby(readings.ts.dt.day).battery_pct.mean()
    assert days[1] > days[30] + 15  # batteries drain
    alerts = data["alerts"].dropna(subset=["acknowledged_at"])
    assert (alerts.acknowledged_at > alerts.raised_at).all()
    devices = data["devices"]
    assert devices.serial.is_unique and devices.mac.str.fullmatch(r"00:1B:44(:[0-9A-F]{2}){3}").all()


# --- logistics --------------------------------------------------------------------------------


def test_logistics_shipments_move_forward_in_time(generated: Callable[[str], Generated]) -> None:
    data = generated("logistics.yaml")
    shipments = data["shipments"]
    vehicles = shipments.merge(data["vehicles"][["vehicle_id", "carrier_id"]], on="vehicle_id", suffixes=("", "_v"))
    assert (vehicles.carrier_id == vehicles.carrier_id_v).all()
    assert (shipments.picked_up_at > shipments.created_at).all()
    assert shipments.delivered_at.notna().eq(shipments.status == "delivered").all()
    delivered = shipments.dropna(subset=["delivered_at"])
    assert (delivered.delivered_at > delivered.picked_up_at).all()
    transit = (delivered.delivered_at - delivered.picked_up_at).groupby(delivered.service).median()
    assert transit["overnight"] < transit["express"] < transit["ground"]
    assert shipments[["weight_kg", "volume_l"]].corr("spearman").iloc[0, 1] > 0.6
    assert data["vehicles"].vin.str.fullmatch(r"[A-HJ-NPR-Z0-9]{17}").all()
    scans = data["tracking_events"].sort_values(["shipment_id", "step"])
    assert scans.groupby("shipment_id").scanned_at.apply(lambda s: s.is_monotonic_increasing).all()
    assert scans.groupby("shipment_id").size().eq(shipments.set_index("shipment_id").scan_count).all()
    last = scans.groupby("shipment_id").last().join(shipments.set_index("shipment_id")[["status", "delivered_at"]])
    done = last[last.status == "delivered"]
    assert done.event.eq("delivered").all() and (done.scanned_at == done.delivered_at).all()
    assert scans.facility_id.notna().eq(scans.event == "hub_scan").all()


# --- ride-hailing -----------------------------------------------------------------------------


def test_ridehailing_fares_follow_distance_and_surge(generated: Callable[[str], Generated]) -> None:
    rides = generated("ridehailing.yaml")["rides"]
    completed = rides[rides.status == "completed"]
    assert completed.fare.corr(completed.distance_km, method="spearman") > 0.7
    assert completed.duration_min.corr(completed.distance_km, method="spearman") > 0.75
    assert rides.groupby("is_peak").surge.mean()[True] > rides.groupby("is_peak").surge.mean()[False] + 0.1
    others = rides[rides.status != "completed"]
    assert others.picked_up_at.isna().all() and others.rating.isna().all() and others.tip.isna().all()
    assert (others.fare <= 5).all()
    assert (completed.picked_up_at > completed.requested_at).all()
    minutes = (completed.dropped_off_at - completed.picked_up_at).dt.total_seconds() / 60
    assert (minutes - completed.duration_min).abs().max() < 1 / 60 + 1e-9


def test_ridehailing_rush_hours_and_friday_nights(generated: Callable[[str], Generated]) -> None:
    data = generated("ridehailing.yaml")
    at = data["rides"].requested_at
    hours = at.dt.hour.value_counts()
    assert hours[8] > 1.5 * hours[12] and hours[18] > 1.5 * hours[12] and hours[4] < 0.3 * hours[12]
    late = at[at.dt.hour >= 22].dt.day_of_week.value_counts()
    assert min(late[4], late[5]) > 2 * max(late[0], late[1])  # Friday and Saturday nights
    drivers = data["drivers"].set_index("driver_id")
    given = data["rides"].groupby("driver_id").size().reindex(drivers.index, fill_value=0)
    assert (drivers.rides_given == given).all()
    taken = data["rides"].groupby("rider_id").size()
    riders = data["riders"].set_index("rider_id")
    assert (riders.rides_taken == taken.reindex(riders.index, fill_value=0)).all()
    assert drivers.license_plate.is_unique and drivers.vin.is_unique


# --- the older specs: shop, retail, customers ------------------------------------------------


def test_shop_orders_total_their_lines_and_ship_later(generated: Callable[[str], Generated]) -> None:
    data = generated("shop.yaml")
    orders = data["orders"].set_index("order_id")
    assert (orders.items_total - data["order_items"].groupby("order_id").line_total.sum()).abs().max() < 0.01
    shipments = data["shipments"].merge(data["order_items"], on="item_id").merge(data["orders"], on="order_id")
    assert (shipments.shipped_at > shipments.ordered_at).all()


def test_retail_orders_grow_and_peak_on_fridays(generated: Callable[[str], Generated]) -> None:
    orders = generated("retail.yaml")["orders"]
    local = orders.ordered_at.dt.tz_convert("America/New_York")
    years = local.dt.year.value_counts()
    assert years[2025] > years[2024] > years[2023] > years[2022]
    assert local.dt.day_of_week.value_counts().idxmax() == 4


def test_customers_are_adults_and_tiers_depend_on_country(generated: Callable[[str], Generated]) -> None:
    customers = generated("customers.yaml")["customers"]
    adult = customers.birthdate.map(lambda d: pd.Timestamp(d) + pd.Timedelta(days=18 * 365.25))
    assert (customers.signup_ts >= adult).all()
    assert set(customers[customers.country != "US"].tier) <= {"silver", "bronze"}
    assert (customers[customers.country == "US"].tier == "gold").mean() > 0.05
