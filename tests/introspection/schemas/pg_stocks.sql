-- A domain with a pattern CHECK that is part of a composite unique key (which a composite foreign
-- key references, so its parts are made unique one by one), and two counts a CHECK orders: one
-- whose name gives its range, one with a guessed range.
CREATE DOMAIN depot_code AS char(3) CHECK (VALUE ~ '^[A-Z]{3}$');
CREATE TABLE depot (
    depot_id    serial PRIMARY KEY,
    code        depot_code NOT NULL,
    bay         varchar(4) NOT NULL,
    UNIQUE (code, bay)
);
CREATE TABLE pallet (
    pallet_id   serial PRIMARY KEY,
    code        depot_code NOT NULL,
    bay         varchar(4) NOT NULL,
    quantity    integer NOT NULL CHECK (quantity >= 0),
    held        integer NOT NULL DEFAULT 0,
    CHECK (held <= quantity),
    FOREIGN KEY (code, bay) REFERENCES depot (code, bay)
);
