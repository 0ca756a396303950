-- Working hours: a shift's start before its end (times of day), on a weekday only (EXTRACT of
-- the ISO day of the week), and a break that is never on a Sunday (EXTRACT of dow).
CREATE TABLE rota (
    rota_id     serial PRIMARY KEY,
    workday     date NOT NULL CHECK (EXTRACT(isodow FROM workday) BETWEEN 1 AND 5),
    opens       time NOT NULL,
    closes      time NOT NULL,
    CHECK (opens < closes)
);
CREATE TABLE pause (
    pause_id    serial PRIMARY KEY,
    rota_id     integer NOT NULL REFERENCES rota (rota_id),
    taken_on    date NOT NULL CHECK (extract(dow from taken_on) <> 0)
);
