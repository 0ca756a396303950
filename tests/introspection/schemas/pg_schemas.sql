-- Several schemas, a table name used in two of them, and foreign keys across schemas.
CREATE SCHEMA crm;
CREATE SCHEMA billing;
CREATE TABLE crm.client (
    client_id   serial PRIMARY KEY,
    full_name   text NOT NULL
);
CREATE TABLE crm.note (
    note_id     serial PRIMARY KEY,
    client_id   integer NOT NULL REFERENCES crm.client,
    body        text NOT NULL
);
CREATE TABLE billing.note (
    note_id     serial PRIMARY KEY,
    written_on  date NOT NULL
);
CREATE TABLE billing.bill (
    bill_id     serial PRIMARY KEY,
    client_id   integer NOT NULL REFERENCES crm.client (client_id),
    note_id     integer REFERENCES billing.note,
    total       numeric(9, 2) NOT NULL CHECK (total >= 0)
);
CREATE TABLE public.setting (
    key         varchar(40) PRIMARY KEY,
    value       text
);
