"""`rulegen introspect mysql://...` and `duckdb:///...`: a schema with keys, composite and self
references, unique indexes, CHECKs, ENUM/SET, generated and AUTO_INCREMENT columns, TINYINT(1),
YEAR, JSON and spatial columns becomes a spec that seeds back into the same schema with no edit,
after which the application's next insert without a key gets one."""

from __future__ import annotations

import contextlib

import pytest
from click.testing import CliRunner

import rulegen
from rulegen.cli import main
from rulegen.io.mysql_target import GENERATED
from tests.mariadb import mysql_connect
from tests.mysql.test_seed import orphans, query, tables

SCHEMA = [
    """CREATE TABLE teams (
        team_id INT AUTO_INCREMENT PRIMARY KEY,
        code CHAR(4) NOT NULL,
        name VARCHAR(40) NOT NULL,
        founded YEAR NOT NULL,
        active TINYINT(1) NOT NULL DEFAULT 1,
        UNIQUE INDEX team_code (code)
    ) ENGINE=InnoDB""",
    """CREATE TABLE players (
        player_id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY,
        team_id INT NOT NULL,
        mentor_id BIGINT UNSIGNED NULL,
        nick VARCHAR(30) NOT NULL,
        position ENUM('keeper', 'defender', 'forward') NOT NULL,
        skills SET('speed', 'pass', 'shot') NULL,
        rating TINYINT UNSIGNED NOT NULL,
        salary DECIMAL(10, 2) NOT NULL CHECK (salary >= 1000),
        joined DATETIME(6) NOT NULL,
        profile JSON NULL,
        home POINT NULL,
        area MULTIPOLYGON NOT NULL,
        nick_upper VARCHAR(30) AS (UPPER(nick)) VIRTUAL,
        UNIQUE KEY team_nick (team_id, nick),
        CONSTRAINT fit CHECK (rating BETWEEN 1 AND 99),
        FOREIGN KEY (team_id) REFERENCES teams (team_id),
        FOREIGN KEY (mentor_id) REFERENCES players (player_id)
    ) ENGINE=InnoDB""",
    """CREATE TABLE matches (
        team_id INT NOT NULL,
        match_no SMALLINT NOT NULL,
        played_on DATE NOT NULL,
        goals TINYINT NOT NULL DEFAULT 0,
        PRIMARY KEY (team_id, match_no),
        FOREIGN KEY (team_id) REFERENCES teams (team_id)
    ) ENGINE=InnoDB""",
    """CREATE TABLE appearances (
        appearance_id INT AUTO_INCREMENT PRIMARY KEY,
        team_id INT NOT NULL,
        match_no SMALLINT NOT NULL,
        player_id BIGINT UNSIGNED NOT NULL,
        minutes SMALLINT NOT NULL CHECK (minutes BETWEEN 0 AND 120),
        FOREIGN KEY (team_id, match_no) REFERENCES matches (team_id, match_no),
        FOREIGN KEY (player_id) REFERENCES players (player_id)
    ) ENGINE=InnoDB""",
]


def test_mysql_introspect_then_seed_with_no_edit_then_the_application_inserts(mysql_database: str) -> None:
    for statement in SCHEMA:
        query(mysql_database, statement)
    text = rulegen.introspect(mysql_database)
    spec = rulegen.load(text)
    players = spec.tables["players"].columns
    assert players["position"].kind == "choice" and players["nick_upper"].hidden
    assert spec.tables["teams"].columns["active"].kind == "bool"
    loaded = rulegen.seed_database(spec, mysql_database, scale=0.5, if_exists="append")
    assert min(loaded.values()) > 0
    assert tables(mysql_database) == loaded
    assert orphans(mysql_database) == []
    assert query(mysql_database, "SELECT count(*) FROM players WHERE ST_X(home) IS NULL AND home IS NOT NULL") \
        == [(0,)]
    assert query(mysql_database, "SELECT count(*) FROM players WHERE ST_Area(area) > 0") == [(loaded["players"],)]
    assert query(mysql_database, "SELECT count(*) FROM players WHERE nick_upper <> UPPER(nick)") == [(0,)]
    with contextlib.closing(mysql_connect(mysql_database)) as connection:
        cursor = connection.cursor()
        cursor.execute("INSERT INTO teams (code, name, founded) VALUES ('ZZZZ', 'New', 2001)")
        cursor.execute("INSERT INTO players (team_id, nick, position, rating, salary, joined, area) VALUES "
                       "(%s, 'newbie', 'keeper', 5, 2000, NOW(), ST_GeomFromText('MULTIPOLYGON(((0 0,1 0,0 1,0 0)))'))",
                       [cursor.lastrowid])
        assert cursor.lastrowid > max(r[0] for r in query(mysql_database, "SELECT player_id FROM players "
                                                                           "WHERE nick <> 'newbie'"))


def test_duckdb_introspect_then_seed_with_no_edit(tmp_path) -> None:
    import duckdb

    path = tmp_path / "league.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE TYPE mood AS ENUM ('calm', 'tense')")
        connection.execute("CREATE TABLE teams (team_id INTEGER PRIMARY KEY, code VARCHAR NOT NULL UNIQUE, "
                           "mood mood NOT NULL, budget DECIMAL(12, 2) CHECK (budget > 0))")
        connection.execute("CREATE TABLE players (player_id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL "
                           "REFERENCES teams (team_id), joined TIMESTAMP NOT NULL, fit BOOLEAN, "
                           "age SMALLINT CHECK (age BETWEEN 16 AND 45), twice INTEGER GENERATED ALWAYS AS "
                           "(player_id * 2) VIRTUAL)")
    spec = rulegen.load(rulegen.introspect(f"duckdb:///{path}"))
    assert spec.tables["players"].columns["team_id"].kind == "ref"
    loaded = rulegen.seed_database(spec, f"duckdb:///{path}", scale=0.5, if_exists="append")
    assert min(loaded.values()) > 0
    with duckdb.connect(str(path)) as connection:
        assert connection.execute("SELECT count(*) FROM players").fetchone()[0] == loaded["players"]
        assert connection.execute("SELECT count(*) FROM players WHERE age NOT BETWEEN 16 AND 45").fetchone()[0] == 0


def test_cli_errors_are_one_line(tmp_path) -> None:
    result = CliRunner().invoke(main, ["introspect", f"mysql://nobody@localhost/x?unix_socket={tmp_path}/no.sock"])
    assert result.exit_code == 1
    assert result.output.startswith("rulegen: error[RG520] ") and "cannot connect" in result.output
    result = CliRunner().invoke(main, ["introspect", f"duckdb:///{tmp_path}/missing.duckdb"])
    assert result.exit_code == 1 and "cannot open the database" in result.output


@pytest.mark.parametrize(("extra", "generated"), [
    ("VIRTUAL GENERATED", True), ("STORED GENERATED", True), ("PERSISTENT GENERATED", True),
    ("DEFAULT_GENERATED", False), ("DEFAULT_GENERATED on update CURRENT_TIMESTAMP", False), ("auto_increment", False),
])
def test_generated_columns_are_told_from_mysql_8_defaults(extra: str, generated: bool) -> None:
    assert (GENERATED.search(extra) is not None) == generated


def test_a_table_a_trigger_fills_is_left_to_the_trigger(mysql_database: str) -> None:
    """A trigger on `books` inserts each new book's row into `book_search`: seeding that table
    too would repeat its key, so introspect leaves it out and the trigger fills it."""
    for statement in [
        "CREATE TABLE books (book_id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(80) NOT NULL)",
        "CREATE TABLE book_search (book_id INT PRIMARY KEY, title VARCHAR(80) NOT NULL)",
        "CREATE TRIGGER books_search AFTER INSERT ON books FOR EACH ROW "
        "BEGIN INSERT INTO `book_search` (book_id, title) VALUES (NEW.book_id, NEW.title); END",
    ]:
        query(mysql_database, statement)
    text = rulegen.introspect(mysql_database)
    assert "book_search" not in rulegen.load(text).tables
    loaded = rulegen.seed_database(text, mysql_database, if_exists="append")
    assert query(mysql_database, "SELECT count(*) FROM book_search") == [(loaded["books"],)]


@pytest.mark.parametrize("local_files", [True, False])
def test_bit_columns_and_the_widest_unsigned_integers_seed_as_numbers(mysql_database: str, local_files: bool) -> None:
    """BIT(1) is a flag, BIT(n) an n-bit number: loaded as numbers (LOAD DATA would store the
    bytes of their text). BIGINT UNSIGNED's range is cut to the 64-bit signed integers."""
    query(mysql_database, "CREATE TABLE devices (id INT AUTO_INCREMENT PRIMARY KEY, enabled BIT(1) NOT NULL, "
                          "mask BIT(6) NULL, serial BIGINT UNSIGNED NOT NULL)")
    spec = rulegen.load(rulegen.introspect(mysql_database))
    columns = spec.tables["devices"].columns
    assert columns["enabled"].kind == "bool" and columns["mask"].kind == "integers"
    assert 0 <= columns["serial"].options["low"] <= columns["serial"].options["high"] <= 2**63 - 1
    if not local_files:
        query(mysql_database, "SET GLOBAL local_infile = 0")
    try:
        loaded = rulegen.seed_database(spec, mysql_database, if_exists="append")
    finally:
        query(mysql_database, "SET GLOBAL local_infile = 1")
    flags, low, high, distinct = query(mysql_database, "SELECT count(DISTINCT enabled), min(mask + 0), max(mask + 0), "
                                                       "count(DISTINCT mask) FROM devices")[0]
    assert loaded["devices"] == 1000 and flags == 2 and low >= 0 and high <= 63 and distinct > 50


def test_integer_types_bound_the_guesses_without_replacing_them(mysql_database: str) -> None:
    """A plain INT is guessed 0-1000 as on PostgreSQL (never the type's whole range, negative half
    included); a narrow or unsigned type cuts the guess to what it holds, a YEAR slides it into
    1901-2155, and a TINYINT numbering a parent's children bounds how many a parent has."""
    query(mysql_database, "CREATE TABLE racks (rack_id INT AUTO_INCREMENT PRIMARY KEY, visitors INT NOT NULL, "
                          "depth SMALLINT NOT NULL, slots TINYINT NOT NULL, grade TINYINT UNSIGNED NOT NULL, "
                          "built YEAR NOT NULL, mask BIT(4) NOT NULL, weight MEDIUMINT UNSIGNED NOT NULL)")
    query(mysql_database, "CREATE TABLE trays (rack_id INT NOT NULL, tray_no TINYINT NOT NULL, "
                          "PRIMARY KEY (rack_id, tray_no), FOREIGN KEY (rack_id) REFERENCES racks (rack_id))")
    spec = rulegen.load(rulegen.introspect(mysql_database))
    options = {name: column.options for name, column in spec.tables["racks"].columns.items()}
    assert options["visitors"] == options["depth"] == options["weight"] == {"low": 0, "high": 1000}
    assert options["slots"] == {"low": 0, "high": 127} and options["grade"] == {"low": 0, "high": 255}
    assert options["mask"] == {"low": 0, "high": 15}
    assert 1901 <= options["built"]["low"] <= options["built"]["high"] <= 2155
    assert spec.tables["trays"].rows.law.options["truncate"] == [0, 127]
    loaded = rulegen.seed_database(spec, mysql_database, scale=0.2, if_exists="append")
    assert min(loaded.values()) > 0 and orphans(mysql_database) == []
    assert query(mysql_database, "SELECT min(visitors) >= 0, max(tray_no) <= 127 FROM racks JOIN trays "
                                 "USING (rack_id)") == [(1, 1)]


def test_a_unique_index_on_a_prefix_keeps_values_that_short(mysql_database: str) -> None:
    """UNIQUE (title(12)) compares the first 12 characters only: longer distinct values could
    share them, so the drafted values are no longer than the prefix."""
    query(mysql_database, "CREATE TABLE posts (post_id INT AUTO_INCREMENT PRIMARY KEY, title VARCHAR(200) NOT NULL, "
                          "body TEXT NOT NULL, UNIQUE KEY (title(12)), UNIQUE KEY (body(16)))")
    spec = rulegen.load(rulegen.introspect(mysql_database))
    loaded = rulegen.seed_database(spec, mysql_database, if_exists="append")
    assert loaded["posts"] == 1000
    assert query(mysql_database, "SELECT max(char_length(title)) <= 12, max(char_length(body)) <= 16 FROM posts") \
        == [(1, 1)]


def test_tables_numbered_by_a_tinyint_stay_within_it(mysql_database: str) -> None:
    """A TINYINT UNSIGNED AUTO_INCREMENT key holds 255 rows: such a table gets half of them (the
    application inserts the rest), and is not made per parent (three kiosks for each of 1000
    towns would not fit), unless through a unique reference (one row per parent, whose own key
    is as narrow)."""
    for statement in [
        "CREATE TABLE town (town_id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
        "CREATE TABLE clerk (clerk_id TINYINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL)",
        "CREATE TABLE kiosk (kiosk_id TINYINT UNSIGNED AUTO_INCREMENT PRIMARY KEY, "
        "town_id INT NOT NULL, head_clerk_id TINYINT UNSIGNED NOT NULL UNIQUE, "
        "FOREIGN KEY (town_id) REFERENCES town (town_id), FOREIGN KEY (head_clerk_id) REFERENCES clerk (clerk_id))",
    ]:
        query(mysql_database, statement)
    spec = rulegen.load(rulegen.introspect(mysql_database))
    assert spec.tables["clerk"].rows == 128 and spec.tables["kiosk"].rows.parent == "clerk"
    loaded = rulegen.seed_database(spec, mysql_database, if_exists="append")
    assert 0 < loaded["kiosk"] <= 128 and orphans(mysql_database) == []
    query(mysql_database, "INSERT INTO clerk (name) VALUES ('new')")
    [(clerk,)] = query(mysql_database, "SELECT min(head_clerk_id) FROM kiosk")
    query(mysql_database, f"DELETE FROM kiosk WHERE head_clerk_id = {clerk}")
    query(mysql_database, f"INSERT INTO kiosk (town_id, head_clerk_id) SELECT min(town_id), {clerk} FROM town")
