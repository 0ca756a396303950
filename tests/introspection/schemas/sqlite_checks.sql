-- SQLite: CHECK forms, GLOB and length bounds, a partial and an expression unique index, a trigger.
CREATE TABLE album (
    album_id    INTEGER PRIMARY KEY AUTOINCREMENT,
    title       VARCHAR(60) NOT NULL CHECK (length(title) >= 2),
    format      TEXT NOT NULL CHECK (format IN ('cd', 'vinyl', 'tape')),
    catalog_no  TEXT NOT NULL CHECK (catalog_no GLOB '[A-Z][A-Z]-[0-9][0-9][0-9][0-9]'),
    year        INTEGER CHECK (year BETWEEN 1950 AND 2030),
    price       NUMERIC(6, 2) CHECK (price > 0),
    grade       TEXT CHECK (upper(grade) IN ('A', 'B') OR grade IS NULL),
    sku         TEXT,
    released    DATE,
    deleted     DATE,
    CHECK (deleted IS NULL OR deleted >= released),
    CHECK (released <> '1999-12-31'),
    CHECK (price * 2 < 1500 OR format <> 'tape')
);
CREATE UNIQUE INDEX album_sku ON album (sku) WHERE sku IS NOT NULL;
CREATE UNIQUE INDEX album_title_lower ON album (lower(title));
CREATE TABLE track (
    album_id    INTEGER NOT NULL REFERENCES album (album_id),
    number      INTEGER NOT NULL CHECK (number BETWEEN 1 AND 12),
    name        TEXT NOT NULL,
    seconds     INTEGER NOT NULL CHECK (seconds > 0),
    PRIMARY KEY (album_id, number)
);
CREATE TABLE album_index (
    album_id    INTEGER PRIMARY KEY,
    title       TEXT NOT NULL
);
CREATE TRIGGER album_indexed AFTER INSERT ON album BEGIN
    INSERT INTO album_index (album_id, title) VALUES (new.album_id, new.title);
END;
CREATE TABLE playlist (
    playlist_id INTEGER PRIMARY KEY,
    parent_id   INTEGER NOT NULL REFERENCES playlist (playlist_id),
    name        TEXT NOT NULL UNIQUE
);
