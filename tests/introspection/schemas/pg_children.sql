-- A line number bounded by a CHECK caps the children per parent; NOT NULL self-references.
CREATE TABLE invoice (
    invoice_id  serial PRIMARY KEY,
    issued_on   date NOT NULL
);
CREATE TABLE invoice_line (
    invoice_id  integer NOT NULL REFERENCES invoice,
    line        smallint NOT NULL CHECK (line BETWEEN 1 AND 7),
    quantity    integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (invoice_id, line)
);
CREATE TABLE staff (
    staff_id    serial PRIMARY KEY,
    boss_id     integer NOT NULL REFERENCES staff (staff_id),
    name        text NOT NULL
);
CREATE TABLE folder (
    folder_id   integer PRIMARY KEY,
    parent_id   integer NOT NULL REFERENCES folder DEFERRABLE INITIALLY DEFERRED,
    title       varchar(40) NOT NULL
);
CREATE TABLE colour_code (
    code        smallint PRIMARY KEY,
    name        varchar(12) NOT NULL
);
